{{/* What notifications adds to the shared templates (see civicgrid-lib's _all.tpl). */}}

{{- define "notifications.clientId" -}}
{{- if not (kindIs "invalid" .Values.settings.serviceClientId) -}}
{{- .Values.settings.serviceClientId -}}
{{- else if .Values.global.tenantBootstrap.serviceClients -}}
civicgrid-notifications
{{- end -}}
{{- end -}}

{{- define "notifications.config" }}
CIVICGRID_IDENTITY_URL: {{ include "civicgrid-lib.peer" (dict "root" . "service" "identity" "protocol" "http" "override" .Values.peers.identityHttp) | quote }}
CIVICGRID_IDENTITY_GRPC_TARGET: {{ include "civicgrid-lib.peer" (dict "root" . "service" "identity" "protocol" "grpc" "override" .Values.peers.identityGrpc) | quote }}
CIVICGRID_VOLUNTEERS_GRPC_TARGET: {{ include "civicgrid-lib.peer" (dict "root" . "service" "volunteers" "protocol" "grpc" "override" .Values.peers.volunteersGrpc) | quote }}
{{- if kindIs "invalid" .Values.settings.serviceClientId }}
CIVICGRID_SERVICE_CLIENT_ID: {{ include "notifications.clientId" . | quote }}
{{- end }}
{{- end -}}

{{- define "notifications.secrets" -}}
items:
  {{- if include "notifications.clientId" .root }}
  - env: CIVICGRID_SERVICE_CLIENT_SECRET
  {{- end }}
  - env: CIVICGRID_SMTP_PASSWORD
    optional: true
  - env: CIVICGRID_PROVIDER_TOKEN
    optional: true
{{- end -}}

{{- define "notifications.migrateArgs" -}}[]{{- end -}}
