// The one Boost.Test entry point every test executable links.
#define BOOST_TEST_MODULE faktory_host
#include <boost/test/unit_test.hpp>
