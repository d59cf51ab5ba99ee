#define BOOST_TEST_MODULE postgresql round trip
#include "support/services.hpp"

#include <pqxx/pqxx>

BOOST_AUTO_TEST_CASE(rows_copied_through_libpqxx_read_back_unchanged) {
  auto s = rtad::test::service_settings();
  pqxx::connection c(s.pg.url);
  pqxx::work w(c);
  w.exec("create temporary table it_rows (id bigint primary key, note text, amount float8)");
  {
    pqxx::stream_to copy(w, "it_rows", std::vector<std::string>{"id", "note", "amount"});
    for (int i = 0; i < 1000; ++i)
      copy << std::make_tuple(i, "row, \"quoted\"\t" + std::to_string(i), i * 1.25);
    copy.complete();
  }
  auto r = w.exec("select count(*), sum(amount), max(note) from it_rows");
  BOOST_TEST(r[0][0].as<int>() == 1000);
  BOOST_TEST(r[0][1].as<double>() == 1.25 * 999 * 1000 / 2);
  BOOST_TEST(r[0][2].as<std::string>() == "row, \"quoted\"\t999");
  auto p = w.exec_params("select note from it_rows where id = $1", 7);
  BOOST_TEST(p[0][0].as<std::string>() == "row, \"quoted\"\t7");
}
