#include "actors/detail/admin_tls.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <cstring>
#include <fstream>
#include <memory>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace rtad {

namespace {

struct ctx_free {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct store_ctx_free {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};

/// OpenSSL's queued errors, oldest first, as one line.
std::string ssl_errors() {
  std::string out;
  while (auto code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out;
}

[[noreturn]] void fail(const std::string& key, const std::string& file, const std::string& what) {
  auto detail = ssl_errors();
  throw config::config_error(key + " = '" + file + "': " + what +
                             (detail.empty() ? "" : " (" + detail + ")"));
}

/// Hands OpenSSL the configured passphrase; without this callback it would
/// ask on the terminal for an encrypted key.
int passphrase(char* buf, int size, int, void* user) {
  const auto& p = *static_cast<const std::string*>(user);
  if (p.empty() || static_cast<int>(p.size()) > size)
    return 0;
  std::memcpy(buf, p.data(), p.size());
  return static_cast<int>(p.size());
}

void require_readable(const std::string& key, const std::string& file) {
  if (!std::ifstream(file))
    fail(key, file, "cannot read the file");
}

} // namespace

void check_admin_tls_files(const config::admin_settings& s) {
  require_readable("admin.tls_certificate", s.tls_certificate);
  require_readable("admin.tls_key", s.tls_key);
  require_readable("admin.tls_cafile", s.tls_cafile);
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, ctx_free> ctx(SSL_CTX_new(TLS_method()));
  if (!ctx)
    fail("admin.tls_certificate", s.tls_certificate, "OpenSSL cannot make a context");
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), s.tls_certificate.c_str()) != 1)
    fail("admin.tls_certificate", s.tls_certificate, "not a PEM certificate");
  SSL_CTX_set_default_passwd_cb(ctx.get(), passphrase);
  SSL_CTX_set_default_passwd_cb_userdata(ctx.get(), const_cast<std::string*>(&s.tls_passphrase));
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), s.tls_key.c_str(), SSL_FILETYPE_PEM) != 1)
    fail("admin.tls_key", s.tls_key,
         "cannot load the private key (not a PEM key, or admin.tls_passphrase does not open it)");
  if (SSL_CTX_check_private_key(ctx.get()) != 1)
    fail("admin.tls_key", s.tls_key,
         "does not belong to admin.tls_certificate " + s.tls_certificate);
  if (SSL_CTX_load_verify_locations(ctx.get(), s.tls_cafile.c_str(), nullptr) != 1)
    fail("admin.tls_cafile", s.tls_cafile, "not a PEM CA certificate");
  // Our own certificate must pass the check the peer will make of it.
  auto* leaf = SSL_CTX_get0_certificate(ctx.get());
  STACK_OF(X509)* chain = nullptr;
  SSL_CTX_get0_chain_certs(ctx.get(), &chain);
  std::unique_ptr<X509_STORE_CTX, store_ctx_free> verify(X509_STORE_CTX_new());
  if (!verify ||
      X509_STORE_CTX_init(verify.get(), SSL_CTX_get_cert_store(ctx.get()), leaf, chain) != 1)
    fail("admin.tls_cafile", s.tls_cafile, "OpenSSL cannot verify against it");
  if (X509_verify_cert(verify.get()) != 1)
    fail("admin.tls_certificate", s.tls_certificate,
         std::string("does not verify against admin.tls_cafile ") + s.tls_cafile + ": " +
           X509_verify_cert_error_string(X509_STORE_CTX_get_error(verify.get())));
  // Nodes publish and connect: the one certificate serves both ends.
  if (X509_check_purpose(leaf, X509_PURPOSE_SSL_SERVER, 0) != 1 ||
      X509_check_purpose(leaf, X509_PURPOSE_SSL_CLIENT, 0) != 1)
    fail("admin.tls_certificate", s.tls_certificate,
         "needs both serverAuth and clientAuth extended key usage");
}

void use_admin_tls(caf::actor_system_config& cfg, const config::admin_settings& s) {
  if (!s.tls())
    return;
  check_admin_tls_files(s);
  // With all of these set, CAF's OpenSSL module requires and verifies the
  // peer's certificate on both ends.
  cfg.openssl_certificate = s.tls_certificate;
  cfg.openssl_key = s.tls_key;
  cfg.openssl_passphrase = s.tls_passphrase;
  cfg.openssl_cafile = s.tls_cafile;
  cfg.load<caf::openssl::manager>();
}

caf::io::middleman_actor admin_connector(caf::actor_system& sys) {
  return sys.has_openssl_manager() ? sys.openssl_manager().actor_handle()
                                   : sys.middleman().actor_handle();
}

} // namespace rtad
