{{/*
Hook Jobs, before install and upgrade: `migrate` (idempotent) and, with the job provisioner,
`topics` (creates this service's topics and their .dlq topics as the code declares them). They
run before the release's other objects exist, so their settings are inline (not the ConfigMap),
they use a pre-existing ServiceAccount only, and a hook NetworkPolicy limits their traffic.
*/}}

{{- define "civicgrid-lib.hookAnnotations" -}}
helm.sh/hook: pre-install,pre-upgrade
helm.sh/hook-weight: {{ .weight | quote }}
helm.sh/hook-delete-policy: {{ .policy }}
{{- end -}}

{{/* dict "root" $ "name" "migrate"|"topics" "args" (list) "resources" {...} "backoffLimit" n "deadline" n */}}
{{- define "civicgrid-lib.job" -}}
{{- $root := .root -}}
{{- $config := include "civicgrid-lib.configData" $root | fromYaml -}}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "civicgrid-lib.fullname" $root }}-{{ .name }}
  labels:
    {{- include "civicgrid-lib.componentLabels" (dict "root" $root "component" .name) | nindent 4 }}
  annotations:
    {{- include "civicgrid-lib.hookAnnotations" (dict "weight" .weight "policy" "before-hook-creation,hook-succeeded") | nindent 4 }}
spec:
  backoffLimit: {{ .backoffLimit | int }}
  activeDeadlineSeconds: {{ .deadline | int }}
  template:
    metadata:
      labels:
        {{- include "civicgrid-lib.componentLabels" (dict "root" $root "component" .name) | nindent 8 }}
    spec:
      restartPolicy: Never
      {{- if and (not $root.Values.serviceAccount.create) $root.Values.serviceAccount.name }}
      serviceAccountName: {{ $root.Values.serviceAccount.name }}
      {{- end }}
      {{- include "civicgrid-lib.podCommon" $root | nindent 6 }}
      containers:
        - name: {{ .name }}
          image: {{ include "civicgrid-lib.image" $root }}
          imagePullPolicy: {{ $root.Values.global.image.pullPolicy }}
          command: ["python", "-m", {{ include "civicgrid-lib.module" $root | quote }}]
          args: {{ toJson .args }}
          env:
            {{- range $name := keys $config | sortAlpha }}
            - name: {{ $name }}
              value: {{ index $config $name | quote }}
            {{- end }}
            {{- include "civicgrid-lib.secretEnv" (dict "root" $root "job" (eq .name "migrate")) | nindent 12 }}
          resources:
            {{- include "civicgrid-lib.resources" .resources | nindent 12 }}
          securityContext:
            {{- include "civicgrid-lib.containerSecurityContext" $root | nindent 12 }}
          volumeMounts:
            {{- include "civicgrid-lib.volumeMounts" $root | nindent 12 }}
      volumes:
        {{- include "civicgrid-lib.volumes" $root | nindent 8 }}
{{- end -}}

{{- define "civicgrid-lib.hookNetworkPolicy" -}}
{{- $g := .Values.global -}}
{{- if $g.networkPolicy.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "civicgrid-lib.fullname" . }}-hooks
  labels:
    {{- include "civicgrid-lib.labels" . | nindent 4 }}
  annotations:
    {{- include "civicgrid-lib.hookAnnotations" (dict "weight" "-10" "policy" "before-hook-creation") | nindent 4 }}
spec:
  podSelector:
    matchExpressions:
      - key: app.kubernetes.io/instance
        operator: In
        values: [{{ .Release.Name | quote }}]
      - key: civicgrid.org/service
        operator: In
        values: [{{ .Chart.Name | quote }}]
      - key: app.kubernetes.io/component
        operator: In
        values: ["migrate", "topics"]
  policyTypes: ["Ingress", "Egress"]
  ingress: []
  egress:
    {{- toYaml (include "civicgrid-lib.infraEgress" . | fromJson).items | nindent 4 }}
{{- end }}
{{- end -}}

{{- define "civicgrid-lib.hooks" -}}
{{- $m := .Values.migrations -}}
{{- if or $m.enabled (eq .Values.global.kafka.topics.provisioner "job") }}
---
{{ include "civicgrid-lib.hookNetworkPolicy" . }}
{{- end }}
{{- if $m.enabled }}
---
{{ include "civicgrid-lib.job" (dict "root" . "name" "migrate" "weight" "0" "args" (concat (list "migrate") (include (printf "%s.migrateArgs" .Chart.Name) . | fromYamlArray)) "resources" $m.resources "backoffLimit" $m.backoffLimit "deadline" $m.activeDeadlineSeconds) }}
{{- end }}
{{- if eq .Values.global.kafka.topics.provisioner "job" }}
---
{{ include "civicgrid-lib.job" (dict "root" . "name" "topics" "weight" "1" "args" (list "topics") "resources" $m.resources "backoffLimit" $m.backoffLimit "deadline" $m.activeDeadlineSeconds) }}
{{- end }}
{{- end -}}
