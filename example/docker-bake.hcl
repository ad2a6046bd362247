# Build every image:   docker buildx bake
# Build one:           docker buildx bake dagster-underwriting-ml
# CI builds images one at a time from bitbucket-pipelines.yml; this file is the
# local / manual equivalent.

variable "REGISTRY" {
  default = "registry.plan.com:5000"
}

group "default" {
  targets = ["dagster-vanguard-wholesale", "dagster-underwriting-ml", "dagster-bootstrap"]
}

target "dagster-vanguard-wholesale" {
  context = "."
  dockerfile = "Dockerfile.vanguard.wholesale"
  tags = [
    "registry.plan.com:5000/dagster-vanguard-wholesale:latest"
  ]
  platforms = ["linux/amd64"]
  push = true
}

target "dagster-underwriting-ml" {
  context = "."
  dockerfile = "Dockerfile.underwriting.ml"
  tags = [
    "registry.plan.com:5000/dagster-underwriting-ml:latest"
  ]
  platforms = ["linux/amd64"]
  push = true
}

# ClickHouse schema bootstrap (no dagster inside).
target "dagster-bootstrap" {
  context = "."
  dockerfile = "Dockerfile.bootstrap"
  tags = [
    "${REGISTRY}/dagster-bootstrap:latest"
  ]
  platforms = ["linux/amd64"]
  push = true
}
