{{/*
Settings. Plain ones go to a ConfigMap (and, inline, to the hook Jobs, which run before the
ConfigMap exists); secret ones come from existing Secrets by reference, never from values.
*/}}

{{/* A value as an environment string: whole numbers without exponent, lists as JSON. */}}
{{- define "civicgrid-lib.envString" -}}
{{- if kindIs "slice" . -}}
{{- toJson . -}}
{{- else if and (kindIs "float64" .) (eq . (floor .)) -}}
{{- int64 . -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}

{{/* The plain settings of this service, as a YAML map of CIVICGRID_* to strings. */}}
{{- define "civicgrid-lib.configData" -}}
{{- $g := .Values.global -}}
{{- $k := $g.kafka -}}
CIVICGRID_ENVIRONMENT: {{ $g.environment | quote }}
CIVICGRID_HTTP_HOST: "0.0.0.0"
CIVICGRID_HTTP_PORT: {{ include "civicgrid-lib.envString" $g.ports.http | quote }}
CIVICGRID_GRPC_HOST: "0.0.0.0"
CIVICGRID_GRPC_PORT: {{ include "civicgrid-lib.envString" $g.ports.grpc | quote }}
CIVICGRID_OPS_PORT: {{ include "civicgrid-lib.envString" $g.ports.ops | quote }}
CIVICGRID_DRAIN_SECONDS: {{ include "civicgrid-lib.envString" .Values.termination.drainSeconds | quote }}
CIVICGRID_JWKS_URL: {{ printf "%s/.well-known/jwks.json" (include "civicgrid-lib.peer" (dict "root" . "service" "identity" "protocol" "http" "override" .Values.peers.identityHttp)) | quote }}
CIVICGRID_KAFKA_BOOTSTRAP: {{ $k.bootstrap | quote }}
CIVICGRID_KAFKA_TOPIC_PARTITIONS: {{ include "civicgrid-lib.envString" $k.topicPartitions | quote }}
CIVICGRID_KAFKA_SECURITY_PROTOCOL: {{ $k.securityProtocol | quote }}
{{- if $k.saslMechanism }}
CIVICGRID_KAFKA_SASL_MECHANISM: {{ $k.saslMechanism | quote }}
CIVICGRID_KAFKA_SASL_USERNAME: {{ $k.saslUsername | quote }}
{{- end }}
{{- if $k.caSecret.name }}
CIVICGRID_KAFKA_SSL_CAFILE: "/etc/civicgrid/kafka-ca/ca.crt"
{{- end }}
{{- if $g.otlp.endpoint }}
CIVICGRID_OTLP_ENDPOINT: {{ $g.otlp.endpoint | quote }}
{{- end }}
{{- with $g.tokens.issuer }}
CIVICGRID_TOKEN_ISSUER: {{ . | quote }}
{{- end }}
{{- with $g.tokens.audience }}
CIVICGRID_TOKEN_AUDIENCE: {{ . | quote }}
{{- end }}
{{- range $name, $value := .Values.settings }}
{{- if not (kindIs "invalid" $value) }}
{{ printf "CIVICGRID_%s" (snakecase $name | upper) }}: {{ include "civicgrid-lib.envString" $value | quote }}
{{- end }}
{{- end }}
{{- include (printf "%s.config" .Chart.Name) . }}
{{- range $name, $value := .Values.extraEnv }}
{{ $name }}: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* env entries from Secrets: dict "root" $ "job" true|false */}}
{{- define "civicgrid-lib.secretEnv" -}}
{{- $root := .root -}}
{{- $secret := include "civicgrid-lib.secretName" $root -}}
{{- $keys := $root.Values.secrets.keys -}}
{{- $wanted := list (dict "env" "CIVICGRID_DATABASE_URL") (dict "env" "CIVICGRID_SECRET_KEY") -}}
{{- if .job -}}
{{- $wanted = append $wanted (dict "env" "CIVICGRID_DATABASE_MIGRATE_URL") -}}
{{- end -}}
{{- $wanted = concat $wanted (include (printf "%s.secrets" $root.Chart.Name) . | fromYaml).items -}}
{{- range $wanted }}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ index $keys .env }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}
{{- $k := $root.Values.global.kafka }}
{{- if $k.saslPasswordSecret.name }}
- name: CIVICGRID_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $k.saslPasswordSecret.name }}
      key: {{ $k.saslPasswordSecret.key }}
{{- end }}
{{- range $name, $ref := $root.Values.extraSecretEnv }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ $ref.secretName }}
      key: {{ $ref.key }}
{{- end }}
{{- end -}}

{{- define "civicgrid-lib.configMap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "civicgrid-lib.fullname" . }}-config
  labels:
    {{- include "civicgrid-lib.labels" . | nindent 4 }}
data:
  {{- include "civicgrid-lib.configData" . | nindent 2 }}
{{- end -}}
