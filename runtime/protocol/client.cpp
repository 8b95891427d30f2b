// Client: the Faktory handshake and commands on top of Connection.
#include "protocol/client.hpp"

#include <algorithm>
#include <stdexcept>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "protocol/connection.hpp"
#include "protocol/errors.hpp"
#include "protocol/json_text.hpp"
#include "protocol/password_hash.hpp"
#include "protocol/resp.hpp"

namespace faktory_host::protocol {

namespace {

using json::condense;

std::string describe(const resp::Value& reply) {
    switch (reply.type) {
    case resp::Type::simple_string:
    case resp::Type::bulk_string:
    case resp::Type::error: return resp::escape_excerpt(resp::encode(reply));
    default: return resp::to_string(reply.type);
    }
}

[[noreturn]] void unexpected(const std::string& verb, const resp::Value& reply) {
    throw ProtocolError("unexpected reply to " + verb + ": \"" + describe(reply) + "\"");
}

// A JSON object out of a `+` or `$` reply; anything else is the server's fault.
Poco::JSON::Object::Ptr json_object(const std::string& verb, const std::string& text) {
    Poco::Dynamic::Var value;
    try {
        value = json::parse(text);
    } catch (const Poco::Exception& e) {
        throw ProtocolError("reply to " + verb + " is not valid JSON (" + e.displayText() + "): \"" +
                            resp::escape_excerpt(text) + "\"");
    }
    auto object = json::as_object(value);
    if (!object)
        throw ProtocolError("reply to " + verb + " is not a JSON object: \"" + resp::escape_excerpt(text) + "\"");
    return object;
}

std::int64_t int_field(const Poco::JSON::Object::Ptr& object, const std::string& key) {
    if (!object || !object->has(key)) return 0;
    const auto value = object->get(key);
    if (value.isEmpty()) return 0;
    try {
        return value.convert<std::int64_t>();
    } catch (const Poco::Exception&) {
        return 0;  // INFO is informational: a field we cannot read is not worth failing over
    }
}

std::string string_field(const Poco::JSON::Object::Ptr& object, const std::string& key) {
    if (!object || !object->has(key)) return {};
    const auto value = object->get(key);
    return value.isEmpty() ? std::string() : value.convert<std::string>();
}

// Queue names end up space-separated on the command line; one holding a
// space or line break would change the command's meaning.
std::string queue_list(const std::string& verb, const std::vector<std::string>& queues) {
    if (queues.empty()) throw std::invalid_argument(verb + " needs at least one queue");
    std::string out;
    for (const auto& queue : queues) {
        if (queue.empty() || queue.find_first_of(" \t\r\n") != std::string::npos)
            throw std::invalid_argument(verb + ": invalid queue name \"" + resp::escape_excerpt(queue) + "\"");
        if (!out.empty()) out += ' ';
        out += queue;
    }
    return out;
}

WorkerState parse_state(const std::string& state, const std::string& text) {
    if (state == "quiet") return WorkerState::quiet;
    if (state == "terminate") return WorkerState::terminate;
    if (state == "running" || state.empty()) return WorkerState::running;
    throw ProtocolError("reply to BEAT names an unknown state: \"" + resp::escape_excerpt(text) + "\"");
}

} // namespace

const char* to_string(WorkerState state) {
    switch (state) {
    case WorkerState::running: return "running";
    case WorkerState::quiet: return "quiet";
    case WorkerState::terminate: return "terminate";
    }
    return "running";
}

Client::Client(ClientOptions options) : options_(std::move(options)) {}

Client::~Client() { disconnect(); }

bool Client::connected() const { return connection_ && connection_->is_open(); }

void Client::disconnect() {
    if (connection_) connection_->close();
    connection_.reset();
}

void Client::connect() {
    disconnect();
    ConnectionOptions connection_options;
    connection_options.tls = options_.tls;
    connection_options.connect_timeout = options_.connect_timeout;
    connection_options.read_timeout = options_.read_timeout;
    connection_options.stop = options_.stop_connecting;
    connection_options.limits.max_bulk = options_.max_job_bytes;
    connection_options.limits.max_bulk_skipped =
        std::max<std::uint64_t>(connection_options.limits.max_bulk_skipped, options_.max_job_bytes);
    connection_ = std::make_unique<Connection>(options_.url, connection_options);
    try {
        const resp::Value hi = connection_->read_reply();
        if (hi.type == resp::Type::error) throw ServerError::from_reply(hi.text);
        if (!hi.is_text() || hi.text.rfind("HI ", 0) != 0) unexpected("connect (expected HI)", hi);
        const auto greeting = json_object("HI", hi.text.substr(3));
        const auto version = int_field(greeting, "v");
        if (version > 2)
            throw ProtocolError("Faktory server " + options_.url.masked() + " speaks protocol version " +
                                std::to_string(version) + "; this client speaks 2");

        Poco::JSON::Object hello;
        hello.set("v", 2);
        if (options_.worker) {
            const auto& worker = *options_.worker;
            hello.set("hostname", worker.hostname);
            hello.set("wid", worker.wid);
            hello.set("pid", worker.pid);
            Poco::JSON::Array labels;
            for (const auto& label : worker.labels) labels.add(label);
            hello.set("labels", labels);
        }
        if (greeting->has("s") || greeting->has("i")) {
            if (options_.url.password.empty())
                throw AuthenticationError("Faktory server " + options_.url.masked() +
                                          " requires a password but none is configured"
                                          " (set it in the URL or faktory.password)");
            const auto iterations = int_field(greeting, "i");
            if (iterations < 1 || iterations > 10'000'000)
                throw ProtocolError("HI asks for an implausible number of password hash iterations: " +
                                    std::to_string(iterations));
            hello.set("pwdhash", password_hash(options_.url.password, string_field(greeting, "s"),
                                               static_cast<int>(iterations)));
        }
        connection_->send_command("HELLO", condense(hello));
        const resp::Value reply = connection_->read_reply();
        if (reply.type == resp::Type::error && reply.text.find("Invalid password") != std::string::npos)
            throw AuthenticationError("Faktory server " + options_.url.masked() +
                                      " refused the password (check the password in the URL or faktory.password)");
        if (reply.type == resp::Type::error) throw ServerError::from_reply(reply.text);
        if (!(reply.is_text() && reply.text == "OK")) unexpected("HELLO", reply);
        connection_->handshake_done();
    } catch (...) {
        disconnect();
        throw;
    }
}

void Client::end() {
    if (!connected()) {
        disconnect();
        return;
    }
    try {
        connection_->send_command("END");
    } catch (...) {
        // END is a courtesy; the socket is closed either way.
    }
    disconnect();
}

namespace {
enum class Oversized { refuse, allow };

// Writes one or more command lines; a failed write drops the connection (nothing is known sent).
void send_bytes(std::unique_ptr<Connection>& connection, const ServerUrl& url, std::string_view bytes) {
    if (!connection || !connection->is_open())
        throw ConnectionError("not connected to Faktory server " + url.masked());
    try {
        connection->send_raw(bytes);
    } catch (const ConnectionError&) {
        connection.reset();
        throw;
    }
}

// Reads the reply to `verb`, a RESP error included (the caller decides what
// it means). A failure after the command was written is a ReplyLostError:
// the server may have carried it out. A broken or garbled connection is dropped.
resp::Value read_reply_to(std::unique_ptr<Connection>& connection, std::string_view verb) {
    try {
        return connection->read_reply();
    } catch (const ConnectionError& e) {
        connection.reset();
        throw ReplyLostError(std::string(verb) + " was sent but its reply was lost: " + e.what());
    } catch (const ProtocolError&) {
        connection.reset();
        throw;
    }
}

// A RESP error becomes ServerError (the connection stays usable). An
// oversized bulk reply was read to its end, so refusing it leaves the
// connection in step.
resp::Value checked(resp::Value reply, const std::string& verb, Oversized oversized) {
    if (reply.type == resp::Type::error) throw ServerError::from_reply(reply.text);
    if (reply.oversized && oversized == Oversized::refuse)
        throw ProtocolError("reply to " + verb + " is " + std::to_string(reply.oversized) +
                            " bytes, over the client's limit of " + std::to_string(reply.text.size()) + " bytes");
    return reply;
}

// Sends one command and reads its reply.
resp::Value call(std::unique_ptr<Connection>& connection, const ServerUrl& url, const std::string& verb,
                 const std::string& argument, Oversized oversized = Oversized::refuse) {
    std::string line;
    Connection::append_command(line, verb, argument);
    send_bytes(connection, url, line);
    return checked(read_reply_to(connection, verb), verb, oversized);
}

void expect_ok(const std::string& verb, const resp::Value& reply) {
    if (!(reply.is_text() && reply.text == "OK")) unexpected(verb, reply);
}

// Written directly: an ACK per job is the hottest command, and a JSON object for one field is waste.
std::string ack_body(std::string_view jid) { return "{\"jid\":" + json::quoted(jid) + "}"; }

std::string fail_body(std::string_view jid, const FailureReport& report) {
    Poco::JSON::Object body;
    body.set("jid", std::string(jid));
    body.set("errtype", report.errtype);
    body.set("message", report.message);
    Poco::JSON::Array backtrace;
    for (const auto& line : report.backtrace) backtrace.add(line);
    body.set("backtrace", backtrace);
    return condense(body);
}

// What FETCH's reply holds: no job (null or empty), or the job, checked.
std::optional<FetchedJob> fetched_from(resp::Value reply, std::size_t max_job_bytes) {
    if (reply.is_null() || (reply.is_text() && reply.text.empty())) return std::nullopt;
    if (!reply.is_text()) unexpected("FETCH", reply);
    const std::uint64_t size = reply.oversized ? reply.oversized : reply.text.size();
    return check_fetched_job(std::move(reply.text), size, max_job_bytes);
}
} // namespace

void Client::push(const Job& job) { expect_ok("PUSH", call(connection_, options_.url, "PUSH", job.to_json())); }

std::map<std::string, std::string> Client::push_bulk(const std::vector<Job>& jobs) {
    std::map<std::string, std::string> rejected;
    if (jobs.empty()) return rejected;
    Poco::JSON::Array array;
    for (const auto& job : jobs) array.add(job.fields());
    const resp::Value reply = call(connection_, options_.url, "PUSHB", condense(array));
    if (reply.is_null() || (reply.is_text() && reply.text == "OK")) return rejected;
    if (!reply.is_text()) unexpected("PUSHB", reply);
    const auto object = json_object("PUSHB", reply.text);
    for (const auto& [jid, error] : *object) rejected[jid] = error.isEmpty() ? std::string() : error.toString();
    return rejected;
}

std::optional<Job> Client::fetch(const std::vector<std::string>& queues) {
    auto fetched = fetch_checked(queues);
    if (!fetched) return std::nullopt;
    if (!fetched->well_formed()) throw ProtocolError("FETCH handed out a malformed job: " + fetched->problem + ": \"" +
                                                     fetched->excerpt + "\"");
    return std::move(fetched->job);
}

std::optional<FetchedJob> Client::fetch_checked(const std::vector<std::string>& queues) {
    const std::string list = queue_list("FETCH", queues);
    return fetched_from(call(connection_, options_.url, "FETCH", list, Oversized::allow), options_.max_job_bytes);
}

void Client::ack(const std::string& jid) { expect_ok("ACK", call(connection_, options_.url, "ACK", ack_body(jid))); }

void Client::fail(const std::string& jid, const FailureReport& report) {
    expect_ok("FAIL", call(connection_, options_.url, "FAIL", fail_body(jid, report)));
}

std::optional<FetchedJob> Client::deliver_and_fetch(const std::vector<ResultCommand>& results,
                                                    const std::vector<std::string>& queues,
                                                    const ResultAnswered& answered) {
    const std::string list = queue_list("FETCH", queues);
    std::string bytes;
    for (const auto& result : results) {
        if (result.failure)
            Connection::append_command(bytes, "FAIL", fail_body(result.jid, *result.failure));
        else
            Connection::append_command(bytes, "ACK", ack_body(result.jid));
    }
    Connection::append_command(bytes, "FETCH", list);
    send_bytes(connection_, options_.url, bytes);
    try {
        for (std::size_t i = 0; i < results.size(); ++i) {
            const std::string verb = results[i].failure ? "FAIL" : "ACK";
            const resp::Value reply = read_reply_to(connection_, verb);
            if (reply.type == resp::Type::error) {
                const auto refusal = ServerError::from_reply(reply.text);
                answered(i, &refusal);
                continue;
            }
            expect_ok(verb, reply);
            answered(i, nullptr);
        }
    } catch (...) {
        // The replies still due (FETCH's at least) would be read as answers to later commands.
        connection_.reset();
        throw;
    }
    return fetched_from(checked(read_reply_to(connection_, "FETCH"), "FETCH", Oversized::allow),
                        options_.max_job_bytes);
}

WorkerState Client::beat(const std::string& wid, std::int64_t rss_kb, std::optional<WorkerState> current_state) {
    Poco::JSON::Object body;
    body.set("wid", wid);
    body.set("rss_kb", rss_kb);
    if (current_state && *current_state != WorkerState::running)
        body.set("current_state", std::string(to_string(*current_state)));
    const resp::Value reply = call(connection_, options_.url, "BEAT", condense(body));
    if (!reply.is_text()) unexpected("BEAT", reply);
    if (reply.text == "OK") return WorkerState::running;
    const auto object = json_object("BEAT", reply.text);
    return parse_state(string_field(object, "state"), reply.text);
}

ServerInfo Client::info() {
    const resp::Value reply = call(connection_, options_.url, "INFO", "");
    if (!reply.is_text()) unexpected("INFO", reply);
    const auto object = json_object("INFO", reply.text);
    ServerInfo info;
    info.raw_json = reply.text;
    const auto faktory = object->getObject("faktory");
    info.total_processed = int_field(faktory, "total_processed");
    info.total_failures = int_field(faktory, "total_failures");
    info.total_enqueued = int_field(faktory, "total_enqueued");
    info.total_queues = int_field(faktory, "total_queues");
    if (faktory) {
        if (const auto queues = faktory->getObject("queues")) {
            for (const auto& [name, size] : *queues) info.queues[name] = int_field(queues, name);
        }
    }
    const auto server = object->getObject("server");
    info.faktory_version = string_field(server, "faktory_version");
    info.uptime = int_field(server, "uptime");
    info.connections = int_field(server, "connections");
    return info;
}

void Client::flush() { expect_ok("FLUSH", call(connection_, options_.url, "FLUSH", "")); }

void Client::queue_pause(const std::vector<std::string>& queues) {
    expect_ok("QUEUE PAUSE", call(connection_, options_.url, "QUEUE", "PAUSE " + queue_list("QUEUE PAUSE", queues)));
}

void Client::queue_resume(const std::vector<std::string>& queues) {
    expect_ok("QUEUE RESUME",
              call(connection_, options_.url, "QUEUE", "RESUME " + queue_list("QUEUE RESUME", queues)));
}

void Client::queue_remove(const std::vector<std::string>& queues) {
    expect_ok("QUEUE REMOVE",
              call(connection_, options_.url, "QUEUE", "REMOVE " + queue_list("QUEUE REMOVE", queues)));
}

void Client::mutate(const std::string& compact_json) {
    // The server splits the command line on spaces, so the JSON must hold none.
    if (compact_json.find_first_of(" \t\r\n") != std::string::npos)
        throw std::invalid_argument("MUTATE needs compact JSON without whitespace");
    expect_ok("MUTATE", call(connection_, options_.url, "MUTATE", compact_json));
}

} // namespace faktory_host::protocol
