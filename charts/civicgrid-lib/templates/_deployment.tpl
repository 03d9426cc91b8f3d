{{/* One Deployment per workload: dict "root" $ "workload" {"name", "components"} */}}
{{- define "civicgrid-lib.deployment" -}}
{{- $root := .root -}}
{{- $w := .workload -}}
{{- $spec := include "civicgrid-lib.workloadSpec" (dict "root" $root "name" $w.name) | fromJson -}}
{{- $t := $root.Values.termination -}}
{{- $ports := $root.Values.global.ports -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "civicgrid-lib.fullname" $root }}-{{ $w.name }}
  labels:
    {{- include "civicgrid-lib.componentLabels" (dict "root" $root "component" $w.name) | nindent 4 }}
spec:
  {{- if not $spec.autoscaling.enabled }}
  replicas: {{ $spec.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  selector:
    matchLabels:
      {{- include "civicgrid-lib.selectorLabels" (dict "root" $root "component" $w.name) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "civicgrid-lib.componentLabels" (dict "root" $root "component" $w.name) | nindent 8 }}
      annotations:
        checksum/config: {{ include "civicgrid-lib.configData" $root | sha256sum }}
        {{- with $root.Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "civicgrid-lib.serviceAccountName" $root }}
      {{- include "civicgrid-lib.podCommon" $root | nindent 6 }}
      terminationGracePeriodSeconds: {{ add (mul 2 $t.drainSeconds) $t.stopSeconds }}
      {{- if $root.Values.spreadAcrossNodes }}
      topologySpreadConstraints:
        {{- range $key := list "kubernetes.io/hostname" "topology.kubernetes.io/zone" }}
        - maxSkew: 1
          topologyKey: {{ $key }}
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "civicgrid-lib.selectorLabels" (dict "root" $root "component" $w.name) | nindent 14 }}
        {{- end }}
      {{- end }}
      containers:
        - name: {{ $root.Chart.Name }}
          image: {{ include "civicgrid-lib.image" $root }}
          imagePullPolicy: {{ $root.Values.global.image.pullPolicy }}
          command: ["python", "-m", {{ include "civicgrid-lib.module" $root | quote }}]
          args: ["serve", "--components", {{ join "," $w.components | quote }}]
          ports:
            {{- if has "http" $w.components }}
            - name: http
              containerPort: {{ $ports.http }}
              protocol: TCP
            {{- end }}
            {{- if has "grpc" $w.components }}
            - name: grpc
              containerPort: {{ $ports.grpc }}
              protocol: TCP
            {{- end }}
            {{- if not (has "http" $w.components) }}
            {{- /* A process without the HTTP app serves /healthz, /readyz, /metrics here. */}}
            - name: ops
              containerPort: {{ $ports.ops }}
              protocol: TCP
            {{- end }}
          envFrom:
            - configMapRef:
                name: {{ include "civicgrid-lib.fullname" $root }}-config
          env:
            - name: CIVICGRID_INSTANCE_ID
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            {{- include "civicgrid-lib.secretEnv" (dict "root" $root "job" false) | nindent 12 }}
          {{- include "civicgrid-lib.probes" (dict "root" $root "components" $w.components) | nindent 10 }}
          lifecycle:
            preStop:
              sleep:
                seconds: {{ $t.drainSeconds }}
          resources:
            {{- include "civicgrid-lib.resources" $spec.resources | nindent 12 }}
          securityContext:
            {{- include "civicgrid-lib.containerSecurityContext" $root | nindent 12 }}
          volumeMounts:
            {{- include "civicgrid-lib.volumeMounts" $root | nindent 12 }}
      volumes:
        {{- include "civicgrid-lib.volumes" $root | nindent 8 }}
{{- end -}}

{{- define "civicgrid-lib.hpa" -}}
{{- $root := .root -}}
{{- $w := .workload -}}
{{- $spec := include "civicgrid-lib.workloadSpec" (dict "root" $root "name" $w.name) | fromJson -}}
{{- $a := $spec.autoscaling -}}
{{- if $a.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "civicgrid-lib.fullname" $root }}-{{ $w.name }}
  labels:
    {{- include "civicgrid-lib.componentLabels" (dict "root" $root "component" $w.name) | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "civicgrid-lib.fullname" $root }}-{{ $w.name }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $a.targetCPUUtilizationPercentage }}
    {{- if and (has "consumers" $w.components) $a.consumerLag $a.consumerLag.enabled }}
    - type: External
      external:
        metric:
          name: {{ $a.consumerLag.metricName }}
          selector:
            matchLabels:
              {{ $a.consumerLag.groupLabel }}: {{ printf "civicgrid-%s" $root.Chart.Name }}
        target:
          type: AverageValue
          averageValue: {{ $a.consumerLag.targetAverageValue | quote }}
    {{- end }}
{{- end }}
{{- end -}}

{{- define "civicgrid-lib.pdb" -}}
{{- $root := .root -}}
{{- $w := .workload -}}
{{- $spec := include "civicgrid-lib.workloadSpec" (dict "root" $root "name" $w.name) | fromJson -}}
{{- if $spec.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "civicgrid-lib.fullname" $root }}-{{ $w.name }}
  labels:
    {{- include "civicgrid-lib.componentLabels" (dict "root" $root "component" $w.name) | nindent 4 }}
spec:
  maxUnavailable: {{ $spec.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "civicgrid-lib.selectorLabels" (dict "root" $root "component" $w.name) | nindent 6 }}
{{- end }}
{{- end -}}
