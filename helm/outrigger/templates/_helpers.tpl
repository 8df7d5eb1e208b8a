{{/* The release's base name: the release name, trimmed to what Kubernetes names allow. */}}
{{- define "outrigger.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "outrigger.injector.fullname" -}}
{{- printf "%s-injector" (include "outrigger.fullname" .) -}}
{{- end -}}

{{- define "outrigger.labels" -}}
app.kubernetes.io/name: outrigger
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "outrigger.injector.selector" -}}
app.kubernetes.io/name: outrigger
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: injector
{{- end -}}

{{/*
The image reference from an `image` values block: repository:tag, the tag defaulting to
<appVersion>-<flavor> (the Dockerfiles' scheme). Takes (dict "image" .Values.image).
*/}}
{{- define "outrigger.image" -}}
{{- $repo := required "image.repository is required (where your Outrigger images are pushed)" .image.repository -}}
{{- $tag := .image.tag | default (printf "%s-%s" (include "outrigger.appVersion" .) (.image.flavor | default "jvm")) -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}

{{/*
The application version the image tags default to. Kept equal to Chart.yaml's appVersion (a chart test
checks it): a parent chart that includes "outrigger.sidecar" cannot read this chart's Chart.yaml.
*/}}
{{/*
The user the sidecar runs as: sidecar.runAsUser, else the image flavor's own non-root user (185 in the JVM
image, 1001 in the native ones), so that a pod running as root at pod level does not pass root on to it.
Takes (dict "values" <the chart's values>).
*/}}
{{- define "outrigger.runAsUser" -}}
{{- if .values.sidecar.runAsUser -}}
{{- int64 .values.sidecar.runAsUser -}}
{{- else if eq (.values.image.flavor | default "jvm") "jvm" -}}
185
{{- else -}}
1001
{{- end -}}
{{- end -}}

{{- define "outrigger.appVersion" -}}
0.1.0
{{- end -}}
