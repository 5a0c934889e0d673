{{/* Names, labels and the service table every template shares. */}}

{{- define "seckill.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "seckill.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "seckill.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels: stable across upgrades (never the version). Takes (dict "root" $ "component" name). */}}
{{- define "seckill.selectorLabels" -}}
app.kubernetes.io/name: {{ include "seckill.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end -}}

{{/* All labels of an object. Takes (dict "root" $ "component" name-or-empty). */}}
{{- define "seckill.labels" -}}
helm.sh/chart: {{ include "seckill.chart" .root }}
{{ include "seckill.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: boutique-seckill
{{- end -}}

{{- define "seckill.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "seckill.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "seckill.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
The services and what each one needs. peers = the services it calls (from the code: checkout's and order's
gRPC clients); infra = the stores it connects to; adminToken = it sends or checks ADMIN_TOKEN; workers = the
values key of its separate workers Deployment; addrEnv = the variable its callers read (none when nothing calls it);
http = it serves HTTP (port "http", /healthz and /readyz) instead of gRPC; singleton = exactly one pod may run (the
cdc binlog reader): Recreate rollouts, no HPA. NetworkPolicies, env and Secret references all derive from this.
*/}}
{{- define "seckill.services" -}}
checkout:
  portEnv: CHECKOUT_PORT
  addrEnv: CHECKOUT_SERVICE_ADDR
  peers: [cart, productcatalog, currency, shipping, payment]
  infra: [redis, mysql, rocketmq]
  adminToken: true
productcatalog:
  portEnv: PRODUCT_CATALOG_PORT
  addrEnv: PRODUCT_CATALOG_SERVICE_ADDR
  peers: []
  infra: [redis, mysql, rocketmq]
  adminToken: true
  workers: productcatalogWorkers
order:
  portEnv: ORDER_PORT
  addrEnv: ORDER_SERVICE_ADDR
  peers: [productcatalog, payment, shipping, email]
  infra: [redis, mysql, rocketmq]
  adminToken: true
  workers: orderWorkers
cart:
  portEnv: CART_PORT
  addrEnv: CART_SERVICE_ADDR
  peers: []
  infra: [redis]
  adminToken: false
currency:
  portEnv: CURRENCY_PORT
  addrEnv: CURRENCY_SERVICE_ADDR
  peers: []
  infra: []
  adminToken: false
payment:
  portEnv: PAYMENT_PORT
  addrEnv: PAYMENT_SERVICE_ADDR
  peers: []
  infra: [mysql]
  adminToken: false
shipping:
  portEnv: SHIPPING_PORT
  addrEnv: SHIPPING_SERVICE_ADDR
  peers: []
  infra: []
  adminToken: false
email:
  portEnv: EMAIL_PORT
  addrEnv: EMAIL_SERVICE_ADDR
  peers: []
  infra: []
  adminToken: false
ledger:
  portEnv: LEDGER_PORT
  peers: []
  infra: [redis, mysql]
  adminToken: true
cdc:
  portEnv: CDC_PORT
  peers: []
  infra: [redis, mysql, rocketmq]
  adminToken: false
  singleton: true
gateway:
  portEnv: GATEWAY_PORT
  peers: [checkout, productcatalog, order]
  infra: []
  adminToken: true
  http: true
{{- end -}}

{{/*
The Deployments this release runs, keyed by component label: each enabled service, plus "<svc>-workers" when
<svc>Workers.enabled. service = the service it runs; values = its values key; workers = runs only the workers;
split = the service's workers run elsewhere.
*/}}
{{- define "seckill.units" -}}
{{- $services := include "seckill.services" . | fromYaml -}}
{{- range $svc, $meta := $services }}
{{- $values := index $.Values $svc }}
{{- $workersKey := $meta.workers | default "" }}
{{- $split := and $workersKey (index $.Values $workersKey).enabled }}
{{- if and $split (not $values.enabled) }}
{{- fail (printf "%s.enabled is true but %s.enabled is false: workers run only beside the chart's own %s" $workersKey $svc $svc) }}
{{- end }}
{{- if $values.enabled }}
{{ $svc }}:
  service: {{ $svc }}
  values: {{ $svc }}
  workers: false
  split: {{ if $split }}true{{ else }}false{{ end }}
{{- if $split }}
{{ $svc }}-workers:
  service: {{ $svc }}
  values: {{ $workersKey }}
  workers: true
  split: true
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Object name of a unit's Deployment, PDB, HPA, NetworkPolicy. Takes (dict "root" $ "component" name). */}}
{{- define "seckill.unitName" -}}
{{- printf "%s-%s" (include "seckill.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Service name of a service. Takes (dict "root" $ "svc" name). */}}
{{- define "seckill.serviceName" -}}
{{- $values := index .root.Values .svc -}}
{{- default (printf "%s-%s" (include "seckill.fullname" .root) .svc | trunc 63 | trimSuffix "-") $values.serviceName -}}
{{- end -}}

{{/* host:port where the other services reach a service: its Service, or <svc>.address when disabled. */}}
{{- define "seckill.address" -}}
{{- $values := index .root.Values .svc -}}
{{- if $values.enabled -}}
{{- printf "%s:%v" (include "seckill.serviceName" .) $values.port -}}
{{- else -}}
{{- $values.address -}}
{{- end -}}
{{- end -}}

{{/* Memory quantity → MiB (Mi, Gi, M, G or bytes). */}}
{{- define "seckill.memoryMiB" -}}
{{- $m := toString . -}}
{{- if hasSuffix "Gi" $m -}}
{{- mul (trimSuffix "Gi" $m | atoi) 1024 -}}
{{- else if hasSuffix "Mi" $m -}}
{{- trimSuffix "Mi" $m | atoi -}}
{{- else if hasSuffix "G" $m -}}
{{- div (mul (trimSuffix "G" $m | atoi) 1000000000) 1048576 -}}
{{- else if hasSuffix "M" $m -}}
{{- div (mul (trimSuffix "M" $m | atoi) 1000000) 1048576 -}}
{{- else if regexMatch "^[0-9]+$" $m -}}
{{- div (atoi $m) 1048576 -}}
{{- else -}}
{{- fail (printf "memory limit %q: use an integer with Mi, Gi, M or G" $m) -}}
{{- end -}}
{{- end -}}

{{/* Names of the Secrets and keys the services read. */}}
{{- define "seckill.infraSecretName" -}}
{{- printf "%s-infra" (include "seckill.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "seckill.adminSecretName" -}}
{{- default (printf "%s-admin" (include "seckill.fullname" .) | trunc 63 | trimSuffix "-") .Values.adminToken.existingSecret -}}
{{- end -}}

{{/* The Redis URL comes from the chart's Secret unless an existing Secret is named (dev Redis always uses the chart's). */}}
{{- define "seckill.redisUrlRef" -}}
{{- if and .Values.redis.existingSecret (not .Values.devInfra.redis.enabled) -}}
name: {{ .Values.redis.existingSecret }}
key: {{ .Values.redis.existingSecretKey }}
{{- else -}}
name: {{ include "seckill.infraSecretName" . }}
key: redis-url
{{- end -}}
{{- end -}}

{{- define "seckill.mysqlUrlRef" -}}
{{- if and .Values.mysql.existingSecret (not .Values.devInfra.mariadb.enabled) -}}
name: {{ .Values.mysql.existingSecret }}
key: {{ .Values.mysql.existingSecretKey }}
{{- else -}}
name: {{ include "seckill.infraSecretName" . }}
key: mysql-url
{{- end -}}
{{- end -}}

{{/* Whether the chart's infra Secret is needed at all. */}}
{{- define "seckill.infraSecretNeeded" -}}
{{- $redis := and (not .Values.redis.existingSecret) (not .Values.redis.clusterNodes) -}}
{{- $mysql := not .Values.mysql.existingSecret -}}
{{- if or $redis $mysql .Values.devInfra.redis.enabled .Values.devInfra.mariadb.enabled -}}true{{- end -}}
{{- end -}}

{{- define "seckill.gatewaySecretName" -}}
{{- default (printf "%s-gateway" (include "seckill.fullname" .) | trunc 63 | trimSuffix "-") .Values.gateway.sessionSecret.existingSecret -}}
{{- end -}}

{{/*
DASHBOARD_METRICS_TARGETS of the gateway: gateway.dashboardMetricsTargets, or every unit's metrics Service. A
Service spreads scrapes over its pods, so with several replicas each scrape sees one pod (rates are per pod).
*/}}
{{- define "seckill.dashboardTargets" -}}
{{- if .Values.gateway.dashboardMetricsTargets -}}
{{- .Values.gateway.dashboardMetricsTargets -}}
{{- else -}}
{{- $targets := list -}}
{{- range $component, $unit := include "seckill.units" . | fromYaml -}}
{{- $host := ternary (include "seckill.unitName" (dict "root" $ "component" $component)) (include "seckill.serviceName" (dict "root" $ "svc" $unit.service)) $unit.workers -}}
{{- $targets = append $targets (printf "%s:%d" $host (int $.Values.metrics.port)) -}}
{{- end -}}
{{- join "," $targets -}}
{{- end -}}
{{- end -}}

{{- define "seckill.devRedisName" -}}
{{- printf "%s-redis" (include "seckill.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "seckill.devMariadbName" -}}
{{- printf "%s-mariadb" (include "seckill.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Fails early, with the value to set, when a service this release runs calls a disabled service without an address. */}}
{{- define "seckill.validate" -}}
{{- $services := include "seckill.services" . | fromYaml -}}
{{- range $component, $unit := include "seckill.units" . | fromYaml -}}
{{- range $peer := (index $services $unit.service).peers -}}
{{- $peerValues := index $.Values $peer -}}
{{- if and (not $peerValues.enabled) (not $peerValues.address) -}}
{{- fail (printf "%s calls %s: set %s.address (host:port) or %s.enabled=true" $unit.service $peer $peer $peer) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
