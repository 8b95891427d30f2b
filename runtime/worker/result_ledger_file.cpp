// Saving and loading the result ledger.
#include "worker/result_ledger_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

namespace faktory_host::worker {

namespace {

constexpr int file_version = 1;

const char* kind_name(PendingResult::Kind kind) {
    switch (kind) {
    case PendingResult::Kind::ack: return "ack";
    case PendingResult::Kind::fail: return "fail";
    case PendingResult::Kind::give_back: return "give_back";
    }
    return "ack";
}

Poco::JSON::Object::Ptr to_json(const PendingResult& result) {
    Poco::JSON::Object::Ptr entry(new Poco::JSON::Object);
    entry->set("jid", result.jid);
    entry->set("jobtype", result.jobtype);
    entry->set("kind", std::string(kind_name(result.kind())));
    if (result.kind() == PendingResult::Kind::fail) {
        Poco::JSON::Object::Ptr failure(new Poco::JSON::Object);
        failure->set("errtype", result.failure->errtype);
        failure->set("message", result.failure->message);
        Poco::JSON::Array::Ptr backtrace(new Poco::JSON::Array);
        for (const auto& line : result.failure->backtrace) backtrace->add(line);
        failure->set("backtrace", backtrace);
        entry->set("failure", failure);
    }
    if (result.kind() == PendingResult::Kind::give_back) {
        entry->set("payload", result.give_back_payload);  // kept as text: the job exactly as fetched
        entry->set("reservation_released", result.reservation_released);
    }
    return entry;
}

[[noreturn]] void unreadable(const std::filesystem::path& path, const std::string& what) {
    throw std::runtime_error("result ledger " + path.string() + ": " + what);
}

std::string text_field(const std::filesystem::path& path, const Poco::JSON::Object& object, const std::string& key,
                       const std::string& where) {
    if (!object.has(key) || !object.get(key).isString())
        unreadable(path, where + ": \"" + key + "\" is missing or not a string");
    return object.get(key).extract<std::string>();
}

PendingResult from_json(const std::filesystem::path& path, const Poco::JSON::Object::Ptr& entry, std::size_t index) {
    const std::string where = "entry " + std::to_string(index);
    if (!entry) unreadable(path, where + " is not an object");
    PendingResult result;
    result.jid = text_field(path, *entry, "jid", where);
    if (result.jid.empty()) unreadable(path, where + " has an empty jid");
    result.jobtype = text_field(path, *entry, "jobtype", where);
    const auto kind = text_field(path, *entry, "kind", where);
    if (kind == "fail") {
        const auto failure = entry->getObject("failure");
        if (!failure) unreadable(path, where + " (fail) has no \"failure\" object");
        protocol::FailureReport report;
        report.errtype = text_field(path, *failure, "errtype", where + " failure");
        report.message = text_field(path, *failure, "message", where + " failure");
        if (const auto backtrace = failure->getArray("backtrace"))
            for (std::size_t i = 0; i < backtrace->size(); ++i)
                report.backtrace.push_back(backtrace->getElement<std::string>(static_cast<unsigned>(i)));
        result.failure = std::move(report);
    } else if (kind == "give_back") {
        result.give_back_payload = text_field(path, *entry, "payload", where);
        if (result.give_back_payload.empty()) unreadable(path, where + " (give_back) has an empty payload");
        result.reservation_released = entry->optValue<bool>("reservation_released", false);
    } else if (kind != "ack") {
        unreadable(path, where + " has an unknown kind \"" + kind + "\"");
    }
    return result;
}

[[noreturn]] void system_failure(const std::string& what, const std::filesystem::path& path) {
    throw std::runtime_error("result ledger: cannot " + what + " " + path.string() + ": " + std::strerror(errno));
}

void write_all(int fd, const std::string& bytes, const std::filesystem::path& path) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) system_failure("write", path);
        done += static_cast<std::size_t>(n);
    }
}

} // namespace

void save(const ResultLedger& ledger, const std::filesystem::path& path) {
    Poco::JSON::Object document;
    document.set("version", file_version);
    Poco::JSON::Array::Ptr results(new Poco::JSON::Array);
    for (const auto& result : ledger.entries()) results->add(to_json(result));
    document.set("results", results);
    std::ostringstream text;
    document.stringify(text);

    // Beside the target so rename() stays on one filesystem; the pid keeps two writers apart.
    const auto temporary = path.string() + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) system_failure("create", temporary);
    try {
        if (::fchmod(fd, 0600) != 0) system_failure("chmod", temporary);  // an old temporary may have had other bits
        write_all(fd, text.str(), temporary);
        if (::fsync(fd) != 0) system_failure("fsync", temporary);
    } catch (...) {
        ::close(fd);
        ::unlink(temporary.c_str());
        throw;
    }
    if (::close(fd) != 0) {
        ::unlink(temporary.c_str());
        system_failure("close", temporary);
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        ::unlink(temporary.c_str());
        system_failure("rename into", path);
    }
    // The rename itself lives in the directory: sync it too, or a crash may forget it.
    const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        ::fsync(dir_fd);
        ::close(dir_fd);
    }
}

std::vector<PendingResult> load(const std::filesystem::path& path) {
    std::vector<PendingResult> out;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (!std::filesystem::exists(path)) return out;
        unreadable(path, "cannot be opened");
    }
    std::ostringstream text;
    text << in.rdbuf();
    Poco::Dynamic::Var value;
    try {
        Poco::JSON::Parser parser;
        value = parser.parse(text.str());
    } catch (const Poco::Exception& e) {
        unreadable(path, "not valid JSON: " + e.displayText());
    }
    if (value.type() != typeid(Poco::JSON::Object::Ptr)) unreadable(path, "not a JSON object");
    const auto document = value.extract<Poco::JSON::Object::Ptr>();
    if (document->optValue<int>("version", 0) != file_version)
        unreadable(path, "version is not " + std::to_string(file_version));
    const auto results = document->getArray("results");
    if (!results) unreadable(path, "has no \"results\" array");
    for (std::size_t i = 0; i < results->size(); ++i)
        out.push_back(from_json(path, results->getObject(static_cast<unsigned>(i)), i));
    return out;
}

} // namespace faktory_host::worker
