#pragma once
// A fresh database per test, created in the local cluster and dropped after,
// so tests never see each other's rows.

#include "support/services.hpp"

#include <pqxx/pqxx>
#include <regex>

namespace rtad::test {

class scratch_db {
public:
  explicit scratch_db(const std::string& prefix = "rtad_test") {
    auto s = service_settings();
    admin_url_ = s.pg.url;
    name_ = prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++);
    pqxx::connection c(admin_url_);
    pqxx::nontransaction w(c);
    w.exec("drop database if exists " + name_);
    w.exec("create database " + name_);
    url_ = std::regex_replace(admin_url_, std::regex("/[^/?]*(\\?|$)"), "/" + name_ + "$1");
  }
  ~scratch_db() {
    try {
      pqxx::connection c(admin_url_);
      pqxx::nontransaction w(c);
      w.exec("drop database if exists " + name_ + " with (force)");
    } catch (...) {
    }
  }
  scratch_db(const scratch_db&) = delete;
  scratch_db& operator=(const scratch_db&) = delete;

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

} // namespace rtad::test
