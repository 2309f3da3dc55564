#!/bin/bash
# Maps the CareEdge bucket to an InfluxQL database and retention policy (a DBRP mapping), so that
# Grafana's InfluxQL datasource reads it as database "<bucket>", retention policy "autogen":
# InfluxDB 2.x answers InfluxQL only through such a mapping.
#
# The influxdb:2.x image runs the executable *.sh files of /docker-entrypoint-initdb.d once, after
# its setup from DOCKER_INFLUXDB_INIT_*, with the influx CLI logged in as the admin and
# DOCKER_INFLUXDB_INIT_BUCKET_ID exported. By hand, on an existing InfluxDB 2.x:
#   influx v1 dbrp create --bucket-id <id> --db careedge --rp autogen --default
set -euo pipefail

influx v1 dbrp create \
  --org "${DOCKER_INFLUXDB_INIT_ORG}" \
  --bucket-id "${DOCKER_INFLUXDB_INIT_BUCKET_ID}" \
  --db "${DOCKER_INFLUXDB_INIT_BUCKET}" \
  --rp autogen \
  --default
