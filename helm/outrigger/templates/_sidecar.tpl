{{/*
The Outrigger container, for charts that add the sidecar themselves instead of using the injector:

  containers:
    - name: app
      ...
    {{- include "outrigger.sidecar" (dict "values" .Values.outrigger "upstreamPort" 8080) | nindent 4 }}
  volumes:
    {{- include "outrigger.sidecarVolumes" (dict "values" .Values.outrigger) | nindent 4 }}

`values` is this chart's values as the parent sees them (under its dependency name or alias, so any alias
works); `upstreamPort` is the application's port on the pod's loopback. Give the sidecar's traffic port
(named by `portName`, default "outrigger") to your Service. What it renders matches what the injector adds.
*/}}
{{- define "outrigger.sidecar" -}}
{{- $v := required "outrigger.sidecar: pass (dict \"values\" .Values.<this chart's name or alias> \"upstreamPort\" <port>)" .values -}}
{{- $s := required "outrigger.sidecar: values.sidecar is missing (is this the outrigger chart's values?)" $v.sidecar -}}
{{- $upstream := required "outrigger.sidecar: upstreamPort (the application's port) is required" .upstreamPort -}}
- name: outrigger
  image: {{ include "outrigger.image" (dict "image" $v.image) | quote }}
  imagePullPolicy: {{ $v.image.pullPolicy }}
  ports:
    - name: {{ .portName | default "outrigger" }}
      containerPort: {{ $s.trafficPort }}
      protocol: TCP
    - name: outrigger-admin
      containerPort: {{ $s.managementPort }}
      protocol: TCP
  env:
    - name: OUTRIGGER_UPSTREAM_URL
      value: {{ printf "http://127.0.0.1:%v" $upstream | quote }}
    - name: QUARKUS_HTTP_PORT
      value: {{ $s.trafficPort | quote }}
    - name: QUARKUS_MANAGEMENT_PORT
      value: {{ $s.managementPort | quote }}
    - name: OUTRIGGER_SHUTDOWN_GRACE
      value: {{ printf "%ds" (max 1 (sub (int $s.terminationGracePeriodSeconds) 7)) | quote }}
    {{- if $s.adminTokenSecret.name }}
    - name: OUTRIGGER_ADMIN_TOKEN
      valueFrom: {secretKeyRef: {name: {{ $s.adminTokenSecret.name | quote }}, key: {{ $s.adminTokenSecret.key | quote }}}}
    {{- end }}
    {{- if $s.keySecret.name }}
    - name: OUTRIGGER_KEY_SECRET
      valueFrom: {secretKeyRef: {name: {{ $s.keySecret.name | quote }}, key: {{ $s.keySecret.key | quote }}}}
    {{- end }}
    {{- if $s.redisSecret.name }}
    - name: QUARKUS_REDIS_HOSTS
      valueFrom: {secretKeyRef: {name: {{ $s.redisSecret.name | quote }}, key: {{ $s.redisSecret.key | quote }}}}
    {{- end }}
    {{- range $name, $value := $s.env }}
    - name: {{ $name }}
      value: {{ $value | toString | quote }}
    {{- end }}
  resources:
    {{- toYaml $s.resources | nindent 4 }}
  securityContext:
    runAsNonRoot: true
    runAsUser: {{ include "outrigger.runAsUser" (dict "values" $v) }}
    allowPrivilegeEscalation: false
    readOnlyRootFilesystem: true
    capabilities: {drop: [ALL]}
    seccompProfile: {type: RuntimeDefault}
  startupProbe:
    httpGet: {path: /q/health/started, port: outrigger-admin}
    periodSeconds: 1
    failureThreshold: 60
    timeoutSeconds: 2
  livenessProbe:
    httpGet: {path: /q/health/live, port: outrigger-admin}
    periodSeconds: 10
    failureThreshold: 3
    timeoutSeconds: 2
  readinessProbe:
    httpGet: {path: /q/health/ready, port: outrigger-admin}
    periodSeconds: 5
    failureThreshold: 2
    timeoutSeconds: 2
  volumeMounts:
    - name: outrigger-tmp
      mountPath: /tmp
{{- end -}}

{{/* The volumes the sidecar mounts: a writable /tmp beside its read-only root filesystem. */}}
{{- define "outrigger.sidecarVolumes" -}}
- name: outrigger-tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end -}}
