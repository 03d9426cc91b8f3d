{{/* What tickets adds to the shared templates (see civicgrid-lib's _all.tpl). */}}

{{- define "tickets.config" }}
CIVICGRID_IDENTITY_URL: {{ include "civicgrid-lib.peer" (dict "root" . "service" "identity" "protocol" "http" "override" .Values.peers.identityHttp) | quote }}
CIVICGRID_GRID_GRPC_TARGET: {{ include "civicgrid-lib.peer" (dict "root" . "service" "grid" "protocol" "grpc" "override" .Values.peers.gridGrpc) | quote }}
CIVICGRID_BLOB_DIR: "/var/lib/civicgrid/blobs"
{{- end -}}

{{- define "tickets.secrets" -}}items: []{{- end -}}
{{- define "tickets.migrateArgs" -}}[]{{- end -}}
