// The HELLO pwdhash matches the server's algorithm (vectors from PROTOCOL.md).
#include <boost/test/unit_test.hpp>

#include "protocol/password_hash.hpp"

using faktory_host::protocol::password_hash;

BOOST_AUTO_TEST_CASE(matches_vector_for_ascii_password) {
    BOOST_TEST(password_hash("password", "123456789abc", 1735) ==
               "e841e9ac451ce2f737d82f1655808c5a502be91dc8a9e01ad6a1f75497912ed6");
}

BOOST_AUTO_TEST_CASE(matches_vector_for_utf8_password_with_space) {
    BOOST_TEST(password_hash("s3cr3t p\xc3\xa4ssword", "9f8e7d", 5545) ==
               "b1a61b5f849d8164866c0549a7a987030aa3c1eac98723488cf78b3b376f9503");
}

BOOST_AUTO_TEST_CASE(one_iteration_is_plain_sha256_of_password_and_salt) {
    // sha256("abc")
    BOOST_TEST(password_hash("ab", "c", 1) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
