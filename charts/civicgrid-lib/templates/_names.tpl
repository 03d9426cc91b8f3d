{{/*
Names and labels. A service chart is named after its service (identity, grid, tickets,
volunteers, notifications); resources are <release>-<service>[-<workload>]. Peers in the same
release are found by the same rule, so the umbrella wires gRPC targets and URLs without values.
*/}}

{{- define "civicgrid-lib.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "civicgrid-lib.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "civicgrid-lib.name" .) | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The Python package of this chart's service: civicgrid_<chart name>. */}}
{{- define "civicgrid-lib.module" -}}
{{- printf "civicgrid_%s" .Chart.Name -}}
{{- end -}}

{{- define "civicgrid-lib.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "civicgrid-lib.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: civicgrid
civicgrid.org/service: {{ .Chart.Name }}
{{- end -}}

{{/* dict "root" $ "component" "http" */}}
{{- define "civicgrid-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ include "civicgrid-lib.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* dict "root" $ "component" "http": every label of a workload's objects and pods. */}}
{{- define "civicgrid-lib.componentLabels" -}}
{{ include "civicgrid-lib.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "civicgrid-lib.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "civicgrid-lib.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "civicgrid-lib.secretName" -}}
{{- default (printf "%s-secrets" (include "civicgrid-lib.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "civicgrid-lib.image" -}}
{{- $g := .Values.global.image -}}
{{- $ref := printf "%s/%s" (trimSuffix "/" $g.registry) .Values.image.repository -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $ref .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $ref (.Values.image.tag | default $g.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{/*
A peer service of this release: dict "root" $ "service" "grid" "protocol" "grpc"|"http"
"override" "". gRPC: dns:///<its headless Service>:port (every ready pod, balanced by the
client); HTTP: http://host:port.
*/}}
{{- define "civicgrid-lib.peer" -}}
{{- if .override -}}
{{- .override -}}
{{- else -}}
{{- $host := printf "%s-%s" .root.Release.Name .service | trunc 40 | trimSuffix "-" -}}
{{- $port := index .root.Values.global.ports .protocol | int -}}
{{- if eq .protocol "grpc" -}}
{{- printf "dns:///%s-grpc-headless:%d" $host $port -}}
{{- else -}}
{{- printf "http://%s-http:%d" $host $port -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The workloads to run, as JSON {"items": [{"name", "components"}]}: one named "all" in
mode=together, one per enabled component in mode=split. The order of components is the runner's.
*/}}
{{- define "civicgrid-lib.workloads" -}}
{{- $enabled := list -}}
{{- range $name := list "http" "grpc" "consumers" "relay" "timers" -}}
{{- $c := index $.Values.components $name | default dict -}}
{{- if $c.enabled -}}
{{- $enabled = append $enabled $name -}}
{{- end -}}
{{- end -}}
{{- if not $enabled -}}
{{- fail "enable at least one of components.*" -}}
{{- end -}}
{{- $items := list -}}
{{- if eq .Values.mode "together" -}}
{{- $items = append $items (dict "name" "all" "components" $enabled) -}}
{{- else -}}
{{- range $enabled -}}
{{- $items = append $items (dict "name" . "components" (list .)) -}}
{{- end -}}
{{- end -}}
{{- dict "items" $items | toJson -}}
{{- end -}}

{{/* The settings of a workload: dict "root" $ "name" "all"|component. */}}
{{- define "civicgrid-lib.workloadSpec" -}}
{{- if eq .name "all" -}}
{{- .root.Values.together | toJson -}}
{{- else -}}
{{- index .root.Values.components .name | toJson -}}
{{- end -}}
{{- end -}}

{{/* The workload that serves a protocol (http|grpc), or "" when none does. */}}
{{- define "civicgrid-lib.servingWorkload" -}}
{{- $protocol := .protocol -}}
{{- range (include "civicgrid-lib.workloads" .root | fromJson).items -}}
{{- if has $protocol .components -}}{{ .name }}{{- end -}}
{{- end -}}
{{- end -}}
