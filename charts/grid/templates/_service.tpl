{{/* What grid adds to the shared templates (see civicgrid-lib's _all.tpl): nothing. */}}
{{- define "grid.config" -}}{{- end -}}
{{- define "grid.secrets" -}}items: []{{- end -}}
{{- define "grid.migrateArgs" -}}[]{{- end -}}
