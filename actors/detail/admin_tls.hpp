#pragma once
// TLS for the admin channel: CAF's OpenSSL module, loaded only when every
// admin.tls_* file is set, so the anonymous mode of CAF is never used.

#include "config/settings.hpp"

#include <caf/fwd.hpp>
#include <caf/io/middleman_actor.hpp>

namespace rtad {

/// Loads the admin TLS files as OpenSSL will at the first connection: the
/// certificate, the key (with the passphrase) and that they match, the CA
/// file, that the certificate comes from that CA and allows serverAuth and
/// clientAuth. CAF notices a bad server key only at the first connection, and
/// a client whose key cannot be loaded waits forever: check first. Throws
/// config::config_error naming the key and the file.
void check_admin_tls_files(const config::admin_settings& s);

/// Checks the files, then loads CAF's OpenSSL module with them into `cfg`
/// (after the middleman). Does nothing when the settings have no TLS.
void use_admin_tls(caf::actor_system_config& cfg, const config::admin_settings& s);

/// What connects to an admin actor: the OpenSSL module when the system has
/// it (so TLS nodes reach each other as operators reach them), else the
/// plain middleman. Answers caf::connect_atom requests without blocking.
caf::io::middleman_actor admin_connector(caf::actor_system& sys);

} // namespace rtad
