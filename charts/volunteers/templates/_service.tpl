{{/* What volunteers adds to the shared templates (see civicgrid-lib's _all.tpl): nothing. */}}
{{- define "volunteers.config" -}}{{- end -}}
{{- define "volunteers.secrets" -}}items: []{{- end -}}
{{- define "volunteers.migrateArgs" -}}[]{{- end -}}
