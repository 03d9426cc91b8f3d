{{/* Pod-level pieces shared by the Deployments and the hook Jobs. */}}

{{- define "civicgrid-lib.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurityContext.runAsUser }}
runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
fsGroup: {{ .Values.podSecurityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "civicgrid-lib.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "civicgrid-lib.podCommon" -}}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- include "civicgrid-lib.podSecurityContext" . | nindent 2 }}
{{- with .Values.global.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end -}}

{{/* Volumes every container of this chart mounts: /tmp, the Kafka CA, the blob store. */}}
{{- define "civicgrid-lib.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- with .Values.global.kafka.caSecret }}
{{- if .name }}
- name: kafka-ca
  secret:
    secretName: {{ .name }}
    items:
      - key: {{ .key }}
        path: ca.crt
{{- end }}
{{- end }}
{{- if hasKey .Values "blobs" }}
- name: blobs
  {{- if .Values.blobs.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.blobs.existingClaim }}
  {{- else }}
  emptyDir:
    sizeLimit: {{ .Values.blobs.sizeLimit }}
  {{- end }}
{{- end }}
{{- end -}}

{{- define "civicgrid-lib.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.global.kafka.caSecret.name }}
- name: kafka-ca
  mountPath: /etc/civicgrid/kafka-ca
  readOnly: true
{{- end }}
{{- if hasKey .Values "blobs" }}
- name: blobs
  mountPath: /var/lib/civicgrid/blobs
{{- end }}
{{- end -}}

{{- define "civicgrid-lib.resources" -}}
requests:
  cpu: {{ .requests.cpu | quote }}
  memory: {{ .requests.memory | quote }}
limits:
  cpu: {{ .limits.cpu | quote }}
  memory: {{ .limits.memory | quote }}
{{- end -}}

{{/*
Probes of a workload: dict "root" $ "components" (list). HTTP /healthz (startup, liveness) and
/readyz (readiness) on the HTTP port when it serves HTTP; the gRPC health service when it serves
gRPC without HTTP (it knows what the ops endpoint cannot: grid's warm indexes, NOT_SERVING);
otherwise (consumers, relay, timers) the same HTTP probes on the runner's ops port.
*/}}
{{- define "civicgrid-lib.probes" -}}
{{- $p := .root.Values.probes -}}
{{- $ports := .root.Values.global.ports -}}
{{- $timing := printf "periodSeconds: %d\ntimeoutSeconds: %d" ($p.periodSeconds | int) ($p.timeoutSeconds | int) -}}
{{- if or (has "http" .components) (not (has "grpc" .components)) }}
{{- $port := ternary "http" "ops" (has "http" .components) }}
startupProbe:
  httpGet:
    path: /healthz
    port: {{ $port }}
  {{- $timing | nindent 2 }}
  failureThreshold: {{ $p.startupFailureThreshold }}
readinessProbe:
  httpGet:
    path: /readyz
    port: {{ $port }}
  {{- $timing | nindent 2 }}
  failureThreshold: {{ $p.failureThreshold }}
livenessProbe:
  httpGet:
    path: /healthz
    port: {{ $port }}
  {{- $timing | nindent 2 }}
  failureThreshold: {{ $p.failureThreshold }}
{{- else }}
startupProbe:
  grpc:
    port: {{ $ports.grpc }}
  {{- $timing | nindent 2 }}
  failureThreshold: {{ $p.startupFailureThreshold }}
readinessProbe:
  grpc:
    port: {{ $ports.grpc }}
  {{- $timing | nindent 2 }}
  failureThreshold: {{ $p.failureThreshold }}
livenessProbe:
  grpc:
    port: {{ $ports.grpc }}
  {{- $timing | nindent 2 }}
  failureThreshold: {{ $p.failureThreshold }}
{{- end }}
{{- end -}}
