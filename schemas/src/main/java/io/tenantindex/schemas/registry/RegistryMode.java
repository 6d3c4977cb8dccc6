package io.tenantindex.schemas.registry;

/**
 * Confluent's registry modes: READWRITE (the default), READONLY (registrations and deletes are
 * refused), IMPORT (a migration registers schemas under the ids and versions it brings, without
 * compatibility checks).
 */
public enum RegistryMode {
    READWRITE, READONLY, IMPORT
}
