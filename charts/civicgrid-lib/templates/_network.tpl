{{/* Services, Ingress and NetworkPolicies. */}}

{{/*
dict "root" $ "protocol" "http"|"grpc" ["headless" true]. The headless gRPC Service
(<release>-<service>-grpc-headless) is what peers of the release dial, as dns:///name:port:
DNS answers with every ready pod and the clients balance calls over them round-robin
(civicgrid_platform.grpc.client); a ClusterIP would pin each client's one connection to one pod.
*/}}
{{- define "civicgrid-lib.service" -}}
{{- $root := .root -}}
{{- $workload := include "civicgrid-lib.servingWorkload" . -}}
{{- if $workload }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "civicgrid-lib.fullname" $root }}-{{ .protocol }}{{ if .headless }}-headless{{ end }}
  labels:
    {{- include "civicgrid-lib.componentLabels" (dict "root" $root "component" $workload) | nindent 4 }}
spec:
  type: ClusterIP
  {{- if .headless }}
  clusterIP: None
  publishNotReadyAddresses: false
  {{- end }}
  selector:
    {{- include "civicgrid-lib.selectorLabels" (dict "root" $root "component" $workload) | nindent 4 }}
  ports:
    - name: {{ .protocol }}
      port: {{ index $root.Values.global.ports .protocol | int }}
      targetPort: {{ .protocol }}
      protocol: TCP
      appProtocol: {{ ternary "kubernetes.io/h2c" "http" (eq .protocol "grpc") }}
{{- end }}
{{- end -}}

{{- define "civicgrid-lib.ingress" -}}
{{- $i := .Values.ingress -}}
{{- if and $i.enabled (include "civicgrid-lib.servingWorkload" (dict "root" . "protocol" "http")) }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "civicgrid-lib.fullname" . }}
  labels:
    {{- include "civicgrid-lib.labels" . | nindent 4 }}
  {{- with $i.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- with $i.className }}
  ingressClassName: {{ . }}
  {{- end }}
  {{- if $i.tlsSecret }}
  tls:
    - secretName: {{ $i.tlsSecret }}
      {{- with $i.host }}
      hosts: [{{ . | quote }}]
      {{- end }}
  {{- end }}
  rules:
    - {{- with $i.host }}
      host: {{ . | quote }}
      {{- end }}
      http:
        paths:
          - path: {{ $i.path }}
            pathType: {{ $i.pathType }}
            backend:
              service:
                name: {{ include "civicgrid-lib.fullname" . }}-http
                port:
                  name: http
{{- end }}
{{- end -}}

{{/*
NetworkPolicy peers of one configured source or destination {cidrs, except, namespaceLabels,
podLabels}, as JSON {"items": [...]}.
*/}}
{{- define "civicgrid-lib.peerList" -}}
{{- $items := list -}}
{{- $except := .except -}}
{{- range .cidrs -}}
{{- $block := dict "cidr" . -}}
{{- if $except -}}
{{- $_ := set $block "except" $except -}}
{{- end -}}
{{- $items = append $items (dict "ipBlock" $block) -}}
{{- end -}}
{{- if or .namespaceLabels .podLabels -}}
{{- $peer := dict -}}
{{- with .namespaceLabels -}}
{{- $_ := set $peer "namespaceSelector" (dict "matchLabels" .) -}}
{{- end -}}
{{- with .podLabels -}}
{{- $_ := set $peer "podSelector" (dict "matchLabels" .) -}}
{{- end -}}
{{- $items = append $items $peer -}}
{{- end -}}
{{- dict "items" $items | toJson -}}
{{- end -}}

{{/* One egress rule (JSON) to a configured destination: dict "peer" {...} "udp" bool */}}
{{- define "civicgrid-lib.egressRule" -}}
{{- $rule := dict -}}
{{- $to := (include "civicgrid-lib.peerList" .peer | fromJson).items -}}
{{- if $to -}}
{{- $_ := set $rule "to" $to -}}
{{- end -}}
{{- $ports := list -}}
{{- range .peer.ports -}}
{{- $ports = append $ports (dict "port" (. | int) "protocol" "TCP") -}}
{{- if $.udp -}}
{{- $ports = append $ports (dict "port" (. | int) "protocol" "UDP") -}}
{{- end -}}
{{- end -}}
{{- if $ports -}}
{{- $_ := set $rule "ports" $ports -}}
{{- end -}}
{{- toJson $rule -}}
{{- end -}}

{{/* Pods of the named CivicGrid services in this namespace (a JSON peer). */}}
{{- define "civicgrid-lib.servicePods" -}}
{{- $expression := dict "key" "civicgrid.org/service" "operator" "In" "values" . -}}
{{- toJson (dict "podSelector" (dict "matchLabels" (dict "app.kubernetes.io/part-of" "civicgrid") "matchExpressions" (list $expression))) -}}
{{- end -}}

{{/* Who scrapes /metrics (when serviceMonitor.enabled): JSON {"items": [peers]}. */}}
{{- define "civicgrid-lib.metricsSources" -}}
{{- $from := list -}}
{{- if .Values.serviceMonitor.enabled -}}
{{- range .Values.global.networkPolicy.metricsFrom -}}
{{- $from = concat $from (include "civicgrid-lib.peerList" . | fromJson).items -}}
{{- end -}}
{{- end -}}
{{- dict "items" $from | toJson -}}
{{- end -}}

{{/* Who may reach a workload's HTTP port: JSON {"items": [peers]}. */}}
{{- define "civicgrid-lib.httpSources" -}}
{{- $v := .Values -}}
{{- $from := list -}}
{{- if $v.networkPolicy.fromIngressController -}}
{{- range $v.global.networkPolicy.ingressFrom -}}
{{- $from = concat $from (include "civicgrid-lib.peerList" . | fromJson).items -}}
{{- end -}}
{{- end -}}
{{- $from = concat $from (include "civicgrid-lib.metricsSources" . | fromJson).items -}}
{{- with $v.networkPolicy.callers.http -}}
{{- $from = append $from (include "civicgrid-lib.servicePods" . | fromJson) -}}
{{- end -}}
{{- dict "items" $from | toJson -}}
{{- end -}}

{{/* Egress every workload and hook needs: DNS, Kafka, PostgreSQL (JSON {"items": [rules]}). */}}
{{- define "civicgrid-lib.infraEgress" -}}
{{- $g := .Values.global -}}
{{- $rules := list (include "civicgrid-lib.egressRule" (dict "peer" $g.networkPolicy.dns "udp" true) | fromJson) -}}
{{- $rules = append $rules (include "civicgrid-lib.egressRule" (dict "peer" $g.kafka.egress) | fromJson) -}}
{{- $rules = append $rules (include "civicgrid-lib.egressRule" (dict "peer" $g.postgres.egress) | fromJson) -}}
{{- dict "items" $rules | toJson -}}
{{- end -}}

{{- define "civicgrid-lib.networkPolicy" -}}
{{- $root := .root -}}
{{- $w := .workload -}}
{{- $v := $root.Values -}}
{{- $np := $v.networkPolicy -}}
{{- $g := $v.global -}}
{{- if $g.networkPolicy.enabled }}
{{- $ingress := list -}}
{{- if has "http" $w.components -}}
{{- $from := (include "civicgrid-lib.httpSources" $root | fromJson).items -}}
{{- if $from -}}
{{- $ingress = append $ingress (dict "from" $from "ports" (list (dict "port" "http" "protocol" "TCP"))) -}}
{{- end -}}
{{- end -}}
{{- if not (has "http" $w.components) -}}
{{- $from := (include "civicgrid-lib.metricsSources" $root | fromJson).items -}}
{{- if $from -}}
{{- $ingress = append $ingress (dict "from" $from "ports" (list (dict "port" "ops" "protocol" "TCP"))) -}}
{{- end -}}
{{- end -}}
{{- if and (has "grpc" $w.components) $np.callers.grpc -}}
{{- $from := list (include "civicgrid-lib.servicePods" $np.callers.grpc | fromJson) -}}
{{- $ingress = append $ingress (dict "from" $from "ports" (list (dict "port" "grpc" "protocol" "TCP"))) -}}
{{- end -}}
{{- $egress := (include "civicgrid-lib.infraEgress" $root | fromJson).items -}}
{{- if $g.otlp.endpoint -}}
{{- $egress = append $egress (include "civicgrid-lib.egressRule" (dict "peer" $g.otlp.egress) | fromJson) -}}
{{- end -}}
{{- range $protocol := list "http" "grpc" -}}
{{- range $service := index $np.calls $protocol -}}
{{- $to := dict "podSelector" (dict "matchLabels" (dict "app.kubernetes.io/part-of" "civicgrid" "civicgrid.org/service" $service)) -}}
{{- $port := dict "port" (index $g.ports $protocol | int) "protocol" "TCP" -}}
{{- $egress = append $egress (dict "to" (list $to) "ports" (list $port)) -}}
{{- end -}}
{{- end -}}
{{- range $np.extraEgress -}}
{{- $egress = append $egress (include "civicgrid-lib.egressRule" (dict "peer" .) | fromJson) -}}
{{- end }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "civicgrid-lib.fullname" $root }}-{{ $w.name }}
  labels:
    {{- include "civicgrid-lib.componentLabels" (dict "root" $root "component" $w.name) | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "civicgrid-lib.selectorLabels" (dict "root" $root "component" $w.name) | nindent 6 }}
  policyTypes: ["Ingress", "Egress"]
  ingress:
    {{- if $ingress }}
    {{- toYaml $ingress | nindent 4 }}
    {{- else }} []
    {{- end }}
  egress:
    {{- toYaml $egress | nindent 4 }}
{{- end }}
{{- end -}}
