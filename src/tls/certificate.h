// Checks of PEM certificate material before it is served: a Secret or file that does not parse,
// whose key does not match its certificate, or whose certificate has expired is refused at
// admission (validate's FILE:LINE error) so the previous certificate stays in force.
// OpenSSL only; no sockets. Any thread.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace sy::tls {

// "" when `cert_pem` holds a certificate chain (leaf first) and `key_pem` its private key, the
// leaf valid at `now`; otherwise what is wrong, in words for a config author.
std::string check_key_pair(std::string_view cert_pem, std::string_view key_pem, std::time_t now);

// "" when `ca_pem` holds at least one certificate; otherwise what is wrong.
std::string check_ca_bundle(std::string_view ca_pem);

}  // namespace sy::tls
