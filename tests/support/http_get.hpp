#pragma once
// A bare HTTP GET for the node's /metrics, /healthz and /readyz in tests.

#include <boost/test/unit_test.hpp>
#include <netdb.h>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace rtad::test {

/// GET `path` from `host`:`port` (a numeric IPv4 or IPv6 address); the whole response.
inline std::string http_get(int port, const std::string& path,
                            const std::string& host = "127.0.0.1") {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* found = nullptr;
  BOOST_REQUIRE(getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) == 0);
  int fd = socket(found->ai_family, SOCK_STREAM, 0);
  bool connected = connect(fd, found->ai_addr, found->ai_addrlen) == 0;
  freeaddrinfo(found);
  BOOST_REQUIRE(connected);
  auto req = "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  BOOST_REQUIRE(send(fd, req.data(), req.size(), 0) == static_cast<ssize_t>(req.size()));
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  close(fd);
  return out;
}

} // namespace rtad::test
