// JSON encoding of SavedState. Jobs are kept as the JSON the server hands out
// and decoded again with the PUSH decoder, so a loaded job is the same job.
#include "devserver/state_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

namespace faktory_host::devserver {

namespace {

constexpr int format_version = 1;

std::int64_t micros(TimePoint when) { return when.time_since_epoch().count(); }
TimePoint from_micros(std::int64_t value) { return TimePoint(std::chrono::microseconds(value)); }

Poco::JSON::Object::Ptr job_object(const StoredJob& job) {
    Poco::JSON::Parser parser;
    return parser.parse(job.json).extract<Poco::JSON::Object::Ptr>();
}

Poco::JSON::Array::Ptr timed_jobs(const std::vector<std::pair<TimePoint, StoredJob>>& entries) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const auto& [when, job] : entries) {
        Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
        entry->set("when_us", micros(when));
        entry->set("job", job_object(job));
        array->add(entry);
    }
    return array;
}

// Reading: every failure names the file and where in it.
class Reader {
public:
    explicit Reader(std::string path) : path_(std::move(path)) {}

    [[noreturn]] void fail(const std::string& where, const std::string& what) const {
        throw std::runtime_error("dev server state file " + path_ + ": " + where + ": " + what);
    }

    Poco::JSON::Object::Ptr object(const Poco::JSON::Object::Ptr& parent, const std::string& key,
                                   const std::string& where) const {
        const auto child = parent->getObject(key);
        if (child.isNull()) fail(where, "\"" + key + "\" must be an object");
        return child;
    }
    Poco::JSON::Array::Ptr array(const Poco::JSON::Object::Ptr& parent, const std::string& key,
                                 const std::string& where) const {
        const auto child = parent->getArray(key);
        if (child.isNull()) fail(where, "\"" + key + "\" must be an array");
        return child;
    }
    std::int64_t integer(const Poco::JSON::Object::Ptr& parent, const std::string& key,
                         const std::string& where) const {
        if (!parent->has(key) || !parent->get(key).isInteger()) fail(where, "\"" + key + "\" must be an integer");
        return parent->get(key).convert<std::int64_t>();
    }
    std::string text(const Poco::JSON::Object::Ptr& parent, const std::string& key, const std::string& where) const {
        if (!parent->has(key) || !parent->get(key).isString()) fail(where, "\"" + key + "\" must be a string");
        return parent->get(key).extract<std::string>();
    }
    Poco::JSON::Object::Ptr element(const Poco::JSON::Array::Ptr& array, std::size_t i,
                                    const std::string& where) const {
        const auto value = array->getObject(static_cast<unsigned>(i));
        if (value.isNull()) fail(where, "must be an object");
        return value;
    }
    StoredJob job(const Poco::JSON::Object::Ptr& parent, const std::string& where) const {
        try {
            StoredJob job = job_from_json_object(object(parent, "job", where));
            job.render();
            return job;
        } catch (const JobRejected& e) {
            fail(where + ".job", e.what());
        }
    }
    std::vector<std::pair<TimePoint, StoredJob>> timed_jobs(const Poco::JSON::Object::Ptr& root,
                                                            const std::string& key) const {
        std::vector<std::pair<TimePoint, StoredJob>> out;
        const auto entries = array(root, key, "top level");
        for (std::size_t i = 0; i < entries->size(); ++i) {
            const std::string where = key + "[" + std::to_string(i) + "]";
            const auto entry = element(entries, i, where);
            out.emplace_back(from_micros(integer(entry, "when_us", where)), job(entry, where));
        }
        return out;
    }

private:
    std::string path_;
};

} // namespace

void write_state_file(const std::string& path, const SavedState& state) {
    Poco::JSON::Object root;
    root.set("format", format_version);
    root.set("clock_offset_ms", static_cast<std::int64_t>(state.clock_offset.count()));
    Poco::JSON::Object::Ptr counters = new Poco::JSON::Object;
    counters->set("processed", state.jobs.counters.processed);
    counters->set("failures", state.jobs.counters.failures);
    root.set("counters", counters);
    Poco::JSON::Array::Ptr queues = new Poco::JSON::Array;
    for (const auto& queue : state.jobs.queues) {
        Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
        entry->set("name", queue.name);
        entry->set("paused", queue.paused);
        Poco::JSON::Array::Ptr jobs = new Poco::JSON::Array;
        for (const auto& job : queue.jobs) {
            Poco::JSON::Object::Ptr wrapped = new Poco::JSON::Object;
            wrapped->set("job", job_object(job));
            jobs->add(wrapped);
        }
        entry->set("jobs", jobs);
        queues->add(entry);
    }
    root.set("queues", queues);
    root.set("scheduled", timed_jobs(state.jobs.scheduled));
    root.set("retries", timed_jobs(state.jobs.retries));
    root.set("dead", timed_jobs(state.jobs.dead));
    Poco::JSON::Array::Ptr working = new Poco::JSON::Array;
    for (const auto& reserved : state.jobs.working) {
        Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
        entry->set("wid", reserved.wid);
        entry->set("expires_at_us", micros(reserved.expires_at));
        entry->set("job", job_object(reserved.job));
        working->add(entry);
    }
    root.set("working", working);

    std::ostringstream text;
    Poco::JSON::Stringifier::stringify(root, text, 1);
    text << '\n';
    const std::string body = text.str();
    const std::string temporary = path + ".tmp";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("dev server state file " + temporary + ": cannot create: " + std::strerror(errno));
    std::size_t written = 0;
    while (written < body.size()) {
        const ssize_t n = ::write(fd, body.data() + written, body.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int error = errno;
            ::close(fd);
            ::unlink(temporary.c_str());
            throw std::runtime_error("dev server state file " + temporary + ": cannot write: " + std::strerror(error));
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const int error = errno;
        ::unlink(temporary.c_str());
        throw std::runtime_error("dev server state file " + temporary + ": cannot flush: " + std::strerror(error));
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0)
        throw std::runtime_error("dev server state file " + path + ": cannot rename " + temporary +
                                 " into place: " + std::strerror(errno));
}

SavedState read_state_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("dev server state file " + path + ": cannot open: " + std::strerror(errno));
    const Reader reader(path);
    Poco::JSON::Object::Ptr root;
    try {
        Poco::JSON::Parser parser;
        const auto parsed = parser.parse(in);
        if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) reader.fail("top level", "must be a JSON object");
        root = parsed.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception& e) {
        reader.fail("not JSON", e.displayText());
    }
    if (reader.integer(root, "format", "top level") != format_version)
        reader.fail("format", "unknown version (this dev server reads version " + std::to_string(format_version) + ")");

    SavedState state;
    state.clock_offset = std::chrono::milliseconds(reader.integer(root, "clock_offset_ms", "top level"));
    const auto counters = reader.object(root, "counters", "top level");
    state.jobs.counters.processed = reader.integer(counters, "processed", "counters");
    state.jobs.counters.failures = reader.integer(counters, "failures", "counters");

    const auto queues = reader.array(root, "queues", "top level");
    for (std::size_t i = 0; i < queues->size(); ++i) {
        const std::string where = "queues[" + std::to_string(i) + "]";
        const auto entry = reader.element(queues, i, where);
        JobStore::QueueContents queue;
        queue.name = reader.text(entry, "name", where);
        if (!entry->has("paused") || !entry->get("paused").isBoolean()) reader.fail(where, "\"paused\" must be true or false");
        queue.paused = entry->getValue<bool>("paused");
        const auto jobs = reader.array(entry, "jobs", where);
        for (std::size_t j = 0; j < jobs->size(); ++j) {
            const std::string job_where = where + ".jobs[" + std::to_string(j) + "]";
            queue.jobs.push_back(reader.job(reader.element(jobs, j, job_where), job_where));
        }
        state.jobs.queues.push_back(std::move(queue));
    }
    state.jobs.scheduled = reader.timed_jobs(root, "scheduled");
    state.jobs.retries = reader.timed_jobs(root, "retries");
    state.jobs.dead = reader.timed_jobs(root, "dead");

    const auto working = reader.array(root, "working", "top level");
    for (std::size_t i = 0; i < working->size(); ++i) {
        const std::string where = "working[" + std::to_string(i) + "]";
        const auto entry = reader.element(working, i, where);
        state.jobs.working.push_back({reader.job(entry, where), reader.text(entry, "wid", where),
                                      from_micros(reader.integer(entry, "expires_at_us", where))});
    }
    return state;
}

} // namespace faktory_host::devserver
