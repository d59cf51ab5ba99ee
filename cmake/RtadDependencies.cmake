# Imported targets for rtad's dependencies. Debian ships CAF 0.17.6 without
# CMake or pkg-config files, so its targets are made by hand here.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(simdjson 3 REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS unit_test_framework)
find_package(CLI11 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
pkg_check_modules(RDKAFKAXX REQUIRED IMPORTED_TARGET rdkafka++)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)

function(rtad_import_caf name lib)
  find_library(RTAD_${name}_LIBRARY NAMES ${lib} REQUIRED)
  add_library(CAF::${name} SHARED IMPORTED)
  set_target_properties(CAF::${name} PROPERTIES IMPORTED_LOCATION ${RTAD_${name}_LIBRARY})
endfunction()
find_path(RTAD_CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
rtad_import_caf(core caf_core)
rtad_import_caf(io caf_io)
rtad_import_caf(openssl caf_openssl)
set_target_properties(CAF::core PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES ${RTAD_CAF_INCLUDE_DIR}
  INTERFACE_LINK_LIBRARIES Threads::Threads)
set_target_properties(CAF::io PROPERTIES INTERFACE_LINK_LIBRARIES CAF::core)
set_target_properties(CAF::openssl PROPERTIES INTERFACE_LINK_LIBRARIES CAF::io)

# Registers a Boost.Test executable with CTest. LABEL is unit, integration or e2e.
function(rtad_test name label)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} Boost::unit_test_framework)
  target_compile_definitions(${name} PRIVATE BOOST_TEST_DYN_LINK)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  add_test(NAME ${name} COMMAND ${name} --color_output=no --report_level=short --log_level=message)
  set_tests_properties(${name} PROPERTIES LABELS ${label})
endfunction()
