{{/*
Everything a service chart renders; a service chart's only manifest template is
  {{ include "civicgrid-lib.all" . }}
and it defines "<chart>.config" (its own plain settings, a YAML map), "<chart>.secrets"
({"items": [{"env", "optional"}]} beyond the DSN and the secret key; gets dict "root" "job")
and "<chart>.migrateArgs" (a YAML list) in its _service.tpl.
*/}}
{{- define "civicgrid-lib.all" -}}
{{- $workloads := (include "civicgrid-lib.workloads" . | fromJson).items -}}
{{- $sa := include "civicgrid-lib.serviceAccount" . }}
{{- if $sa }}
---
{{ $sa }}
{{- end }}
---
{{ include "civicgrid-lib.configMap" . }}
{{- range $service := list (dict "protocol" "http") (dict "protocol" "grpc") (dict "protocol" "grpc" "headless" true) }}
{{- $svc := include "civicgrid-lib.service" (merge (dict "root" $) $service) }}
{{- if $svc }}
---
{{ $svc }}
{{- end }}
{{- end }}
{{- range $w := $workloads }}
---
{{ include "civicgrid-lib.deployment" (dict "root" $ "workload" $w) }}
{{- range $kind := list "hpa" "pdb" "networkPolicy" }}
{{- $doc := include (printf "civicgrid-lib.%s" $kind) (dict "root" $ "workload" $w) }}
{{- if $doc }}
---
{{ $doc }}
{{- end }}
{{- end }}
{{- end }}
{{- range $kind := list "ingress" "serviceMonitor" "podMonitor" }}
{{- $doc := include (printf "civicgrid-lib.%s" $kind) $ }}
{{- if $doc }}
---
{{ $doc }}
{{- end }}
{{- end }}
{{- include "civicgrid-lib.kafkaTopics" . }}
{{- include "civicgrid-lib.hooks" . }}
{{- end -}}
