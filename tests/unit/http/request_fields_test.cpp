#include "http/client_limits.hpp"
#include "http/request_fields.hpp"

#include <gtest/gtest.h>

namespace supportdrop::http {
namespace {

TEST(RequestFields, QueryAndPath) {
    EXPECT_EQ(target_path("/upload?csrf=abc&lang=de"), "/upload");
    EXPECT_EQ(query_parameter("/upload?csrf=abc&lang=de", "lang"), "de");
    EXPECT_EQ(query_parameter("/upload?csrf=abc&lang=de", "csrf"), "abc");
    EXPECT_EQ(query_parameter("/upload?xcsrf=abc", "csrf"), "");
    EXPECT_EQ(query_parameter("/upload", "csrf"), "");
}

TEST(RequestFields, Cookies) {
    EXPECT_EQ(cookie_value("a=1; sd_csrf=xyz; b=2", "sd_csrf"), "xyz");
    EXPECT_EQ(cookie_value("xsd_csrf=1", "sd_csrf"), "");
    EXPECT_EQ(cookie_value("", "sd_csrf"), "");
}

TEST(RequestFields, ClientAddressTrustsOnlyConfiguredProxies) {
    const std::vector<std::string> proxies = {"10.0.0.1"};
    EXPECT_EQ(client_address("192.0.2.7", proxies, "203.0.113.9", ""), "192.0.2.7") << "peer is no proxy";
    EXPECT_EQ(client_address("10.0.0.1", proxies, "203.0.113.9", ""), "203.0.113.9");
    // The client may prepend anything; only the entry our proxy added counts.
    EXPECT_EQ(client_address("10.0.0.1", proxies, "1.1.1.1, 203.0.113.9", ""), "203.0.113.9");
    EXPECT_EQ(client_address("10.0.0.1", proxies, "", "for=198.51.100.4;proto=https"), "198.51.100.4");
    EXPECT_EQ(client_address("10.0.0.1", proxies, "", "for=\"[2001:db8::5]:4711\""), "2001:db8::5");
    EXPECT_EQ(client_address("10.0.0.1", proxies, "garbage", ""), "10.0.0.1");
}

TEST(RequestFields, WantsJson) {
    EXPECT_TRUE(wants_json("application/json"));
    EXPECT_FALSE(wants_json("text/html,application/xhtml+xml,application/json;q=0.9"));
    EXPECT_FALSE(wants_json("*/*"));
}

TEST(ClientKey, GroupsIpv6By64) {
    EXPECT_EQ(client_key("2001:db8:1:2:aaaa::1"), client_key("2001:db8:1:2:bbbb::2"));
    EXPECT_NE(client_key("2001:db8:1:2::1"), client_key("2001:db8:1:3::1"));
    EXPECT_EQ(client_key("::ffff:192.0.2.1"), "192.0.2.1");
    EXPECT_EQ(client_key("192.0.2.1"), "192.0.2.1");
}

TEST(ClientLimits, CountsConcurrencyAndHourlyQuota) {
    ClientLimits limits({2, 1, 2, 10});
    auto first = limits.admit_connection("a");
    auto second = limits.admit_connection("a");
    EXPECT_EQ(limits.admit_connection("a").refusal, ClientLimits::Refusal::too_many_connections);
    EXPECT_EQ(limits.admit_connection("b").refusal, ClientLimits::Refusal::none);
    first = {};
    EXPECT_EQ(limits.admit_connection("a").refusal, ClientLimits::Refusal::none);

    const auto start = ClientLimits::Clock::now();
    {
        auto upload = limits.admit_upload("a", start);
        EXPECT_EQ(upload.refusal, ClientLimits::Refusal::none);
        EXPECT_EQ(limits.uploads_in_flight(), 1u);
        EXPECT_EQ(limits.admit_upload("a", start).refusal, ClientLimits::Refusal::too_many_uploads);
    }
    EXPECT_EQ(limits.uploads_in_flight(), 0u);
    EXPECT_EQ(limits.admit_upload("a", start).refusal, ClientLimits::Refusal::none);
    const auto quota = limits.admit_upload("a", start + std::chrono::minutes(1));
    EXPECT_EQ(quota.refusal, ClientLimits::Refusal::too_many_uploads);
    EXPECT_GT(quota.retry_after, std::chrono::minutes(58));
    EXPECT_EQ(limits.admit_upload("a", start + std::chrono::minutes(61)).refusal, ClientLimits::Refusal::none);
}

TEST(ClientLimits, GlobalConcurrency) {
    ClientLimits limits({10, 10, 100, 2});
    auto a = limits.admit_upload("a");
    auto b = limits.admit_upload("b");
    EXPECT_EQ(limits.admit_upload("c").refusal, ClientLimits::Refusal::too_many_uploads);
}

} // namespace
} // namespace supportdrop::http
