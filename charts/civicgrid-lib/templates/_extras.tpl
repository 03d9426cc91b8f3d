{{- define "civicgrid-lib.serviceAccount" -}}
{{- if .Values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "civicgrid-lib.serviceAccountName" . }}
  labels:
    {{- include "civicgrid-lib.labels" . | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
{{- end }}
{{- end -}}

{{/* /metrics of the workload that serves HTTP, through its Service. */}}
{{- define "civicgrid-lib.serviceMonitor" -}}
{{- $sm := .Values.serviceMonitor -}}
{{- $workload := include "civicgrid-lib.servingWorkload" (dict "root" . "protocol" "http") -}}
{{- if and $sm.enabled $workload }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "civicgrid-lib.fullname" . }}
  labels:
    {{- include "civicgrid-lib.labels" . | nindent 4 }}
    {{- with $sm.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "civicgrid-lib.selectorLabels" (dict "root" . "component" $workload) | nindent 6 }}
  endpoints:
    - port: http
      path: /metrics
      interval: {{ $sm.interval }}
{{- end }}
{{- end -}}

{{/*
The other workloads (consumers, relay, timers, gRPC without HTTP) serve /metrics on the runner's
ops port; they have no Service, so a PodMonitor selects their pods.
*/}}
{{- define "civicgrid-lib.podMonitor" -}}
{{- $sm := .Values.serviceMonitor -}}
{{- $workloads := list -}}
{{- range (include "civicgrid-lib.workloads" . | fromJson).items -}}
{{- if not (has "http" .components) -}}
{{- $workloads = append $workloads .name -}}
{{- end -}}
{{- end -}}
{{- if and $sm.enabled $workloads }}
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata:
  name: {{ include "civicgrid-lib.fullname" . }}-ops
  labels:
    {{- include "civicgrid-lib.labels" . | nindent 4 }}
    {{- with $sm.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ include "civicgrid-lib.name" . }}
      app.kubernetes.io/instance: {{ .Release.Name }}
    matchExpressions:
      - key: app.kubernetes.io/component
        operator: In
        values: {{ toJson $workloads }}
  podMetricsEndpoints:
    - port: ops
      path: /metrics
      interval: {{ $sm.interval }}
{{- end }}
{{- end -}}

{{- define "civicgrid-lib.kafkaTopics" -}}
{{- $root := . -}}
{{- $k := .Values.global.kafka -}}
{{- if eq $k.topics.provisioner "strimzi" }}
{{- range .Values.kafkaTopics }}
{{- $topic := . }}
{{- range $name := list $topic.name (printf "%s.dlq" $topic.name) }}
---
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaTopic
metadata:
  name: {{ $name }}
  labels:
    {{- include "civicgrid-lib.labels" $root | nindent 4 }}
    strimzi.io/cluster: {{ $k.topics.strimziCluster }}
  annotations:
    # Topics outlive releases: uninstalling must not delete events.
    helm.sh/resource-policy: keep
spec:
  topicName: {{ $name }}
  partitions: {{ $topic.partitions | default $k.topicPartitions | int }}
  replicas: {{ $k.topics.replicas | int }}
  {{- if not (kindIs "invalid" $topic.retentionMs) }}
  config:
    retention.ms: {{ $topic.retentionMs | int64 }}
  {{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}
