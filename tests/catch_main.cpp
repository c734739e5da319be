#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

// catch_discover_tests flattens its PROPERTIES list, so of the ENVIRONMENT entries only the
// first (OTASIGN_BIN) reaches the tests. The same values are compiled in here and set when
// the environment lacks them, so every Catch test sees the documented variables.
int main(int argc, char* argv[]) {
    ::setenv("OTASIGN_BIN", OTASIGN_TEST_BIN, 0);
    ::setenv("OTASIGN_SOURCE_DIR", OTASIGN_TEST_SOURCE_DIR, 0);
    ::setenv("OTASIGN_CORPORA_DIR", OTASIGN_TEST_CORPORA_DIR, 0);
    ::setenv("OTASIGN_BUILD_DIR", OTASIGN_TEST_BUILD_DIR, 0);
    return Catch::Session().run(argc, argv);
}
