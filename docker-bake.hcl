# Example stack: three services that build from scratch, with no network.
# REGISTRY and TAG come from the environment (stack tasks set them from
# --registry and --image-tag); REVISION and SOURCE_DATE_EPOCH likewise.

variable "REGISTRY" {
  default = "localhost:5000/flowmesh"
}

variable "TAG" {
  default = "dev"
}

variable "REVISION" {
  default = "unknown"
}

# The commit time in seconds since the epoch; empty outside git.
variable "SOURCE_DATE_EPOCH" {
  default = ""
}

group "default" {
  targets = ["gateway", "router", "worker"]
}

group "edge" {
  targets = ["gateway"]
}

group "backend" {
  targets = ["router", "worker"]
}

# Hidden: a name that starts with an underscore is only ever inherited.
target "_service" {
  platforms = ["linux/amd64", "linux/arm64"]
  labels = {
    "org.opencontainers.image.vendor"   = "flowmesh"
    "org.opencontainers.image.version"  = "${TAG}"
    "org.opencontainers.image.revision" = "${REVISION}"
    # A null label is left out, so there is no created label outside git.
    "org.opencontainers.image.created" = (
      SOURCE_DATE_EPOCH == "" ? null
      : timeadd("1970-01-01T00:00:00Z", "${SOURCE_DATE_EPOCH}s")
    )
  }
}

target "gateway" {
  inherits = ["_service"]
  context  = "services/gateway"
  tags     = ["${REGISTRY}/gateway:${TAG}"]
}

target "router" {
  inherits = ["_service"]
  context  = "services/router"
  tags     = ["${REGISTRY}/router:${TAG}"]
}

target "worker" {
  inherits = ["_service"]
  context  = "services/worker"
  tags     = ["${REGISTRY}/worker:${TAG}"]
}
