// A plugin built against the current SDK (1.1). "Basic" uses only 1.0 members,
// so it must run on a host table cut to 1.0's size; "Whole" uses the 1.1 job
// accessors and must fail there with a message naming the missing member.
// "Convert" exercises every arg<T> conversion; "Push*" push C++ values.
#include <faktory/plugin.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

// One line per value, so the test can compare what the plugin saw.
template <typename T> std::string show(const T& value);
std::string show(const faktory::Value& value) { return faktory::Json(value).text(); }
template <typename T> std::string show(const std::optional<T>& value) { return value ? show(*value) : "nullopt"; }
template <typename T> std::string show(const std::vector<T>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + show(items[i]);
    return out + "]";
}
template <typename T> std::string show(const std::map<std::string, T>& members) {
    std::string out = "{";
    for (const auto& [key, value] : members) out += (out.size() > 1 ? "," : "") + key + ":" + show(value);
    return out + "}";
}
template <typename T> std::string show(const T& value) {
    if constexpr (std::is_same_v<T, std::string>) return value;
    else if constexpr (std::is_same_v<T, bool>) return value ? "true" : "false";
    else {
        std::ostringstream out;
        out << +value;
        return out.str();
    }
}

template <typename T> void convert(faktory::Job& job) { job.log(show(job.arg<T>(1))); }

} // namespace

FAKTORY_PLUGIN("one-one", "1.1.0", plugin) {
    plugin.handle("Basic", [](faktory::Job& job) {
        job.log("basic " + job.arg<std::string>(0));
        job.push("Next", "[1]", "low");
    });
    plugin.handle("Whole", [](faktory::Job& job) {
        const auto failure = job.failure();
        job.log("retry=" + (job.retry() ? std::to_string(*job.retry()) : std::string("none")) +
                " at=" + std::string(job.at()) + " created_at=" + std::string(job.created_at()) +
                " enqueued_at=" + std::string(job.enqueued_at()) + " reserve_for=" + std::to_string(job.reserve_for()) +
                " failure=" + (failure ? failure->errtype + "/" + failure->message + "/" +
                                             std::to_string(failure->retry_count) + "/" + failure->failed_at
                                       : std::string("none")) +
                " last_attempt=" + (job.last_attempt() ? "yes" : "no"));
        job.log("json.jid=" + job.value()["jid"].as_string() + " custom.tenant=" + job.custom()["tenant"].as_string());
    });
    plugin.handle("Convert", [](faktory::Job& job) {
        const auto type = job.arg<std::string>(0);
        if (type == "int8") convert<std::int8_t>(job);
        else if (type == "uint8") convert<std::uint8_t>(job);
        else if (type == "int16") convert<std::int16_t>(job);
        else if (type == "uint16") convert<std::uint16_t>(job);
        else if (type == "int") convert<int>(job);
        else if (type == "unsigned") convert<unsigned>(job);
        else if (type == "long") convert<long>(job);
        else if (type == "uint64") convert<std::uint64_t>(job);
        else if (type == "float") convert<float>(job);
        else if (type == "double") convert<double>(job);
        else if (type == "long double") convert<long double>(job);
        else if (type == "bool") convert<bool>(job);
        else if (type == "string") convert<std::string>(job);
        else if (type == "optional int") convert<std::optional<int>>(job);
        else if (type == "vector double") convert<std::vector<double>>(job);
        else if (type == "vector vector int") convert<std::vector<std::vector<int>>>(job);
        else if (type == "map string") convert<std::map<std::string, std::string>>(job);
        else if (type == "map vector int") convert<std::map<std::string, std::vector<int>>>(job);
        else if (type == "value") convert<faktory::Value>(job);
        else throw std::invalid_argument("unknown type " + type);
    });
    plugin.handle("Sum", [](faktory::Job& job) {
        double sum = 0;
        for (double n : job.arg<std::vector<double>>(0)) sum += n;
        job.push("Report", {sum, "total", std::string("quote \" and \\ and\nnewline"), nullptr, true,
                            std::vector<int>{1, 2}, std::map<std::string, int>{{"k", 1}}, faktory::Json{1, "x"}},
                 "reports");
    });
    plugin.handle("PushNotAList", [](faktory::Job& job) { job.push("Report", faktory::Json("just a string")); });
    plugin.handle("OptionalArg", [](faktory::Job& job) {
        job.log("limit=" + show(job.arg<std::optional<int>>(0)));
    });
}
