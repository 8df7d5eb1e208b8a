{{/*
The Outrigger container, for an application's pod spec. Traffic enters on trafficPort and is
forwarded to upstreamUrl; health and metrics are on managementPort only.
*/}}
{{- define "outrigger.sidecar" -}}
{{- $o := .Values.outrigger -}}
- name: outrigger
  image: "{{ $o.image.repository }}:{{ $o.image.tag }}"
  imagePullPolicy: {{ $o.image.pullPolicy }}
  env:
    - name: OUTRIGGER_UPSTREAM_URL
      value: {{ $o.upstreamUrl | quote }}
    - name: QUARKUS_HTTP_PORT
      value: {{ $o.trafficPort | quote }}
    - name: QUARKUS_MANAGEMENT_PORT
      value: {{ $o.managementPort | quote }}
    {{- with $o.env }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  ports:
    - name: outrigger
      containerPort: {{ $o.trafficPort }}
    - name: outrigger-mgmt
      containerPort: {{ $o.managementPort }}
  livenessProbe:
    httpGet:
      path: /q/health/live
      port: outrigger-mgmt
  readinessProbe:
    httpGet:
      path: /q/health/ready
      port: outrigger-mgmt
  resources:
    {{- toYaml $o.resources | nindent 4 }}
{{- end -}}
