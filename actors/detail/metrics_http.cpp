#include "actors/detail/metrics_http.hpp"

#include "actors/detail/log.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace rtad {

namespace {

constexpr int accept_poll_ms = 200;   // how soon a stop is noticed
constexpr int read_timeout_ms = 2000; // a client that sends nothing is dropped
constexpr std::size_t max_request_bytes = 8192;

std::string http(int code, const char* reason, const std::string& type, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body;
}

} // namespace

metrics_http::metrics_http(const std::string& host, int port, std::string node,
                           std::shared_ptr<node_metrics> metrics, std::function<bool()> healthy)
    : node_(std::move(node)), metrics_(std::move(metrics)), healthy_(std::move(healthy)) {
  // A numeric address of either family: "0.0.0.0" or "::" (every address;
  // "::" takes IPv4 too where the system maps it), "127.0.0.1", "::1".
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found)
    throw std::runtime_error("metrics endpoint: '" + host +
                             "' is not an IPv4 or IPv6 address (node.metrics_host)");
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(found, &::freeaddrinfo);
  fd_ = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0)
    throw std::runtime_error(std::string("metrics endpoint: socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (found->ai_family == AF_INET6) {
    int zero = 0; // "::" serves IPv4 clients as well
    ::setsockopt(fd_, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  }
  if (::bind(fd_, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd_, 16) != 0) {
    auto why = std::string(std::strerror(errno));
    ::close(fd_);
    throw std::runtime_error("metrics endpoint: cannot listen on " + host + ":" +
                             std::to_string(port) + ": " + why +
                             " (set node.metrics_port, 0 disables it)");
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                     : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  thread_ = std::thread([this] { serve(); });
}

metrics_http::~metrics_http() {
  stop_ = true;
  if (thread_.joinable())
    thread_.join();
  ::close(fd_);
}

std::string metrics_http::respond(const std::string& request_line) const {
  auto sp1 = request_line.find(' ');
  auto sp2 = request_line.find(' ', sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos)
    return http(400, "Bad Request", "text/plain", "bad request\n");
  auto method = request_line.substr(0, sp1);
  auto path = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (method != "GET")
    return http(405, "Method Not Allowed", "text/plain", "only GET\n");
  if (path == "/metrics")
    return http(200, "OK", "text/plain; version=0.0.4", metrics_->prometheus(node_));
  if (path == "/healthz") {
    if (!healthy_())
      return http(503, "Service Unavailable", "text/plain", "an essential actor failed\n");
    auto wedged = metrics_->wedged();
    if (wedged.empty())
      return http(200, "OK", "text/plain", "ok\n");
    std::string body;
    for (const auto& [actor, seconds] : wedged)
      body += actor + " has not answered for " + std::to_string(static_cast<long>(seconds)) +
              " s (node.silent_after_s = " + std::to_string(metrics_->silent_after.count()) + ")\n";
    return http(503, "Service Unavailable", "text/plain", body);
  }
  if (path == "/readyz") {
    if (!metrics_->db_available)
      return http(503, "Service Unavailable", "text/plain", "PostgreSQL is not accepting writes\n");
    if (!metrics_->ready)
      return http(503, "Service Unavailable", "text/plain", "no partitions assigned yet\n");
    if (auto stalled = metrics_->sink_stalled_seconds();
        stalled > static_cast<double>(metrics_->stuck_after.count()))
      return http(503, "Service Unavailable", "text/plain",
                  "the sink has not committed for " + std::to_string(static_cast<long>(stalled)) +
                    " s (sink.stuck_after_s = " + std::to_string(metrics_->stuck_after.count()) +
                    ")\n");
    return http(200, "OK", "text/plain", "ready\n");
  }
  return http(404, "Not Found", "text/plain", "try /metrics, /healthz or /readyz\n");
}

void metrics_http::serve() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, accept_poll_ms) <= 0)
      continue;
    int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0)
      continue;
    std::string request;
    char buf[1024];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < max_request_bytes) {
      pollfd c{client, POLLIN, 0};
      if (::poll(&c, 1, read_timeout_ms) <= 0)
        break;
      auto n = ::recv(client, buf, sizeof buf, 0);
      if (n <= 0)
        break;
      request.append(buf, static_cast<std::size_t>(n));
    }
    auto eol = request.find("\r\n");
    auto reply = respond(eol == std::string::npos ? request : request.substr(0, eol));
    std::size_t sent = 0;
    while (sent < reply.size()) {
      auto n = ::send(client, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
      if (n <= 0)
        break;
      sent += static_cast<std::size_t>(n);
    }
    ::close(client);
  }
}

} // namespace rtad
