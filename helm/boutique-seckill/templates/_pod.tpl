{{/* The pod template of one unit. Takes (dict "root" $ "component" name "unit" unit). */}}

{{/* Container env: listening ports, heap, secrets where the service uses them, workers switch, OTLP. */}}
{{- define "seckill.env" -}}
{{- $root := .root -}}
{{- $unit := .unit -}}
{{- $meta := index (include "seckill.services" $root | fromYaml) $unit.service -}}
{{- $svcValues := index $root.Values $unit.service -}}
{{- $values := index $root.Values $unit.values -}}
{{- $limitMiB := include "seckill.memoryMiB" $values.resources.limits.memory | atoi -}}
- name: {{ $meta.portEnv }}
  value: {{ $svcValues.port | quote }}
- name: METRICS_PORT
  value: {{ ternary (int $root.Values.metrics.port) 0 $root.Values.metrics.enabled | quote }}
- name: NODE_OPTIONS
  value: {{ printf "--max-old-space-size=%d" (div (mul $limitMiB $root.Values.config.heapPercent) 100) | quote }}
{{- /* The root fs is read-only: anything a library writes under $HOME lands in the /tmp emptyDir. */}}
- name: HOME
  value: "/tmp"
{{- if and (has "redis" $meta.infra) (not $root.Values.redis.clusterNodes) }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      {{- include "seckill.redisUrlRef" $root | nindent 6 }}
{{- end }}
{{- if has "mysql" $meta.infra }}
- name: MYSQL_URL
  valueFrom:
    secretKeyRef:
      {{- include "seckill.mysqlUrlRef" $root | nindent 6 }}
{{- end }}
{{- if $meta.adminToken }}
- name: ADMIN_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "seckill.adminSecretName" $root }}
      key: {{ ternary $root.Values.adminToken.existingSecretKey "admin-token" (not (empty $root.Values.adminToken.existingSecret)) }}
{{- end }}
{{- if $root.Values.grpcTls.existingSecret }}
- name: GRPC_TLS_CERT_FILE
  value: "/etc/seckill/tls/tls.crt"
- name: GRPC_TLS_KEY_FILE
  value: "/etc/seckill/tls/tls.key"
- name: GRPC_TLS_CA_FILE
  value: "/etc/seckill/tls/ca.crt"
{{- end }}
{{- if eq $unit.service "gateway" }}
{{- include "seckill.gatewayEnv" $root }}
{{- end }}
{{- if and (eq $unit.service "ledger") (not $root.Values.cdc.enabled) }}
{{- /* Binlog inserts are recorded by the cdc worker: without it that reconciliation stage would always lag. */}}
- name: RECONCILE_BINLOG_STAGE
  value: "false"
{{- end }}
{{- if $unit.split }}
- name: WORKERS_ENABLED
  value: {{ ternary "true" "false" $unit.workers | quote }}
{{- end }}
{{- range $name, $value := $values.env }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
- name: K8S_POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: K8S_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: K8S_NODE_NAME
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
- name: OTEL_SERVICE_NAME
  value: {{ $unit.service | quote }}
{{- with $root.Values.otel.endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: {{ $root.Values.otel.protocol | quote }}
{{- end }}
{{- /* Last, so the $(K8S_…) references above are expanded by the kubelet. */}}
{{- $attrs := list
  (printf "service.namespace=%s" $root.Release.Namespace)
  (printf "service.version=%s" (default $root.Chart.AppVersion $root.Values.image.tag))
  (printf "service.instance.id=$(K8S_POD_NAME)")
  (printf "k8s.namespace.name=$(K8S_NAMESPACE)")
  (printf "k8s.pod.name=$(K8S_POD_NAME)")
  (printf "k8s.node.name=$(K8S_NODE_NAME)")
  (printf "k8s.deployment.name=%s" (include "seckill.unitName" .))
  (printf "app.role=%s" (ternary "workers" (ternary "serve" "all" $unit.split) $unit.workers)) }}
{{- range $k, $v := $root.Values.otel.resourceAttributes }}
{{- $attrs = append $attrs (printf "%s=%v" $k $v) }}
{{- end }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ join "," $attrs | quote }}
{{- end -}}

{{/* The gateway's secrets and settings: session key, optional request-signing key, proxy trust, dashboard targets. */}}
{{- define "seckill.gatewayEnv" -}}
{{- $gw := .Values.gateway }}
- name: GATEWAY_SESSION_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "seckill.gatewaySecretName" . }}
      key: {{ ternary $gw.sessionSecret.existingSecretKey "session-secret" (not (empty $gw.sessionSecret.existingSecret)) }}
{{- if $gw.hmacSecret.existingSecret }}
- name: GATEWAY_HMAC_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $gw.hmacSecret.existingSecret }}
      key: {{ $gw.hmacSecret.existingSecretKey }}
{{- end }}
- name: GATEWAY_TRUST_PROXY
  value: {{ $gw.trustProxy | toString | quote }}
{{- if .Values.metrics.enabled }}
- name: DASHBOARD_METRICS_TARGETS
  value: {{ include "seckill.dashboardTargets" . | quote }}
{{- end }}
{{- end -}}

{{- define "seckill.podTemplate" -}}
{{- $root := .root -}}
{{- $unit := .unit -}}
{{- $meta := index (include "seckill.services" $root | fromYaml) $unit.service -}}
{{- $portName := ternary "http" "grpc" (eq ($meta.http | toString) "true") -}}
{{- $svcValues := index $root.Values $unit.service -}}
{{- $values := index $root.Values $unit.values -}}
{{- $port := int $svcValues.port -}}
{{- $graceS := div (add $root.Values.config.shutdownGraceMs 999) 1000 -}}
metadata:
  labels:
    {{- include "seckill.labels" . | nindent 4 }}
    {{- with $root.Values.pod.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    {{- with $root.Values.pod.annotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "seckill.serviceAccountName" $root }}
  automountServiceAccountToken: false
  # Service links would inject <NAME>_PORT variables that can collide with the app's own *_PORT settings.
  enableServiceLinks: false
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- range . }}
    - name: {{ . }}
    {{- end }}
  {{- end }}
  {{- with $root.Values.pod.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  # preStop sleep + SHUTDOWN_GRACE_MS drain + the app's 5 s close phase, with margin.
  terminationGracePeriodSeconds: {{ add $root.Values.config.preStopSleepSeconds $graceS 10 }}
  containers:
    - name: {{ $unit.service }}
      image: {{ include "seckill.image" $root | quote }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      args: [{{ $unit.service | quote }}]
      ports:
        - name: {{ $portName }}
          containerPort: {{ $port }}
          protocol: TCP
        {{- if $root.Values.metrics.enabled }}
        - name: metrics
          containerPort: {{ int $root.Values.metrics.port }}
          protocol: TCP
        {{- end }}
      envFrom:
        - configMapRef:
            name: {{ include "seckill.fullname" $root }}
      env:
        {{- include "seckill.env" . | nindent 8 }}
      # Native gRPC probes (numeric port): the app serves the health names "liveness" and "readiness";
      # the HTTP gateway answers GET /healthz (alive) and /readyz (503 while stopping).
      startupProbe:
        {{- if eq $portName "http" }}
        httpGet:
          path: /healthz
          port: http
        {{- else if $root.Values.grpcTls.existingSecret }}
        tcpSocket:
          port: {{ $port }}
        {{- else }}
        grpc:
          port: {{ $port }}
          service: liveness
        {{- end }}
        periodSeconds: {{ $root.Values.probes.startupPeriodSeconds }}
        timeoutSeconds: {{ $root.Values.probes.timeoutSeconds }}
        failureThreshold: {{ $root.Values.probes.startupFailureThreshold }}
      livenessProbe:
        {{- if eq $portName "http" }}
        httpGet:
          path: /healthz
          port: http
        {{- else if $root.Values.grpcTls.existingSecret }}
        tcpSocket:
          port: {{ $port }}
        {{- else }}
        grpc:
          port: {{ $port }}
          service: liveness
        {{- end }}
        periodSeconds: {{ $root.Values.probes.periodSeconds }}
        timeoutSeconds: {{ $root.Values.probes.timeoutSeconds }}
        failureThreshold: {{ $root.Values.probes.livenessFailureThreshold }}
      readinessProbe:
        {{- if eq $portName "http" }}
        httpGet:
          path: /readyz
          port: http
        {{- else if $root.Values.grpcTls.existingSecret }}
        tcpSocket:
          port: {{ $port }}
        {{- else }}
        grpc:
          port: {{ $port }}
          service: readiness
        {{- end }}
        periodSeconds: {{ $root.Values.probes.periodSeconds }}
        timeoutSeconds: {{ $root.Values.probes.timeoutSeconds }}
        failureThreshold: {{ $root.Values.probes.readinessFailureThreshold }}
      lifecycle:
        preStop:
          exec:
            command: ["sleep", {{ $root.Values.config.preStopSleepSeconds | quote }}]
      resources:
        {{- toYaml $values.resources | nindent 8 }}
      securityContext:
        {{- toYaml $root.Values.containerSecurityContext | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- if $root.Values.grpcTls.existingSecret }}
        - name: grpc-tls
          mountPath: /etc/seckill/tls
          readOnly: true
        {{- end }}
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: 64Mi
    {{- with $root.Values.grpcTls.existingSecret }}
    - name: grpc-tls
      secret:
        secretName: {{ . }}
        defaultMode: 0440
    {{- end }}
  {{- with $root.Values.pod.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.pod.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.pod.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if $root.Values.pod.topologySpread }}
  topologySpreadConstraints:
    - maxSkew: 1
      topologyKey: kubernetes.io/hostname
      whenUnsatisfiable: ScheduleAnyway
      labelSelector:
        matchLabels:
          {{- include "seckill.selectorLabels" . | nindent 10 }}
  {{- end }}
{{- end -}}
