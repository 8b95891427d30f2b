// The fault-injection hooks do what they say, and the server recovers after each.
#include <boost/test/unit_test.hpp>

#include "dev_server_fixture.hpp"
#include "protocol/errors.hpp"
#include "support/eventually.hpp"

using namespace faktory_host::devserver;
using namespace faktory_host::devserver::test;
namespace protocol = faktory_host::protocol;
using faktory_host::testing::eventually;
using Clock = std::chrono::steady_clock;

BOOST_AUTO_TEST_SUITE(devserver_fault_injection)

BOOST_AUTO_TEST_CASE(drop_all_connections_closes_every_client_including_a_blocked_fetch) {
    StartedServer s;
    auto idle = s.client();
    auto fetcher = s.client("wid-drop");
    std::exception_ptr fetch_error;
    const auto begin = Clock::now();
    std::thread blocked([&] {
        try {
            fetcher->fetch({"nothing-here"});
        } catch (...) {
            fetch_error = std::current_exception();
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // usually blocked by now; either way it must fail
    s.server.drop_all_connections();
    blocked.join();
    BOOST_TEST(static_cast<bool>(fetch_error));
    BOOST_TEST(std::chrono::duration<double>(Clock::now() - begin).count() < 1.9);
    BOOST_CHECK_THROW(idle->info(), protocol::ConnectionError);
    BOOST_TEST(eventually([&] { return s.server.stats()->getArray("workers")->size() == 0u; }));
    BOOST_TEST(s.client()->info().connections == 1);
}

BOOST_AUTO_TEST_CASE(delay_replies_holds_every_reply_back) {
    StartedServer s;
    auto client = s.client();
    s.server.delay_replies(std::chrono::milliseconds(400));
    auto begin = Clock::now();
    client->info();
    BOOST_TEST(std::chrono::duration<double>(Clock::now() - begin).count() >= 0.35);
    s.server.delay_replies(std::chrono::milliseconds(0));
    begin = Clock::now();
    client->info();
    BOOST_TEST(std::chrono::duration<double>(Clock::now() - begin).count() < 0.35);
}

BOOST_AUTO_TEST_CASE(refused_connections_end_before_the_greeting_until_the_span_is_over) {
    StartedServer s;
    s.server.refuse_connections_for(std::chrono::milliseconds(800));
    BOOST_CHECK_THROW(s.client(), protocol::FaktoryError);
    BOOST_TEST(eventually([&] {
        try {
            return s.client()->connected();
        } catch (const protocol::FaktoryError&) {
            return false;
        }
    }));
}

BOOST_AUTO_TEST_CASE(garbage_frame_replaces_the_next_reply_of_existing_connections_only) {
    StartedServer s;
    auto client = s.client();
    s.server.send_garbage_frame();
    BOOST_CHECK_THROW(client->info(), protocol::ProtocolError);
    auto fresh = s.client();
    BOOST_TEST(fresh->info().faktory_version == "1.7.0");
}

BOOST_AUTO_TEST_SUITE_END()
