terraform {
  required_version = ">= 1.6"

  required_providers {
    vbaws = {
      source = "vbaws/vbaws"
    }
  }
}
