{{/* What identity adds to the shared templates (see civicgrid-lib's _all.tpl). */}}

{{- define "identity.config" -}}
{{- $t := .Values.global.tenantBootstrap }}
CIVICGRID_BOOTSTRAP_ADMIN_EMAIL: {{ $t.platformAdminEmail | quote }}
{{- end -}}

{{- define "identity.secrets" -}}
{{- $t := .root.Values.global.tenantBootstrap -}}
items:
  {{- if $t.serviceClients }}
  - env: CIVICGRID_SERVICE_CLIENTS
  {{- end }}
  {{- if and .job $t.createPlatformAdmin }}
  - env: CIVICGRID_BOOTSTRAP_ADMIN_PASSWORD
  {{- end }}
{{- end -}}

{{- define "identity.migrateArgs" -}}
{{- if .Values.global.tenantBootstrap.createPlatformAdmin -}}
["--bootstrap-admin"]
{{- else -}}
[]
{{- end -}}
{{- end -}}
