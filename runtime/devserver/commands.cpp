// Command dispatch: parses each verb's argument the way Faktory's Go handlers
// do and maps the outcome onto RESP replies.
#include "devserver/commands.hpp"

#include <map>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "devserver/go_json.hpp"
#include "devserver/info_document.hpp"
#include "protocol/json_text.hpp"
#include "protocol/resp.hpp"

namespace faktory_host::devserver {

namespace resp = protocol::resp;

namespace {

constexpr auto fetch_block = std::chrono::seconds(2);

CommandReply ok() { return {resp::simple_string("OK"), false}; }
CommandReply err(const std::string& message) { return {resp::error("ERR " + message), false}; }
CommandReply bulk(const std::string& text) { return {resp::bulk_string(text), false}; }

std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> words;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = text.find(' ', start);
        const auto word = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (!word.empty()) words.emplace_back(word);
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return words;
}

// Parses `text` as JSON; nullopt when it is not JSON at all.
std::optional<Poco::Dynamic::Var> parse_json(std::string_view text) {
    try {
        return protocol::json::parse(text);
    } catch (const Poco::Exception&) {
        return std::nullopt;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

Poco::JSON::Object::Ptr as_object(const std::optional<Poco::Dynamic::Var>& value) {
    return value ? protocol::json::as_object(*value) : nullptr;
}

// The field as a string when it is one; nullopt for a missing or null one; throws for other types.
std::optional<std::string> string_member(const Poco::JSON::Object::Ptr& object, const std::string& key) {
    if (!object->has(key) || object->get(key).isEmpty()) return std::nullopt;
    const auto value = object->get(key);
    if (!value.isString()) throw std::invalid_argument(key);
    return value.extract<std::string>();
}

CommandReply push(ServerState& state, std::string_view argument) {
    try {
        state.jobs.push(job_from_push_argument(std::string(argument)));
        return ok();
    } catch (const JobRejected& e) {
        return err(e.what());
    }
}

CommandReply push_bulk(ServerState& state, std::string_view argument) {
    std::string parse_error;
    Poco::Dynamic::Var parsed;
    try {
        parsed = protocol::json::parse(argument);
    } catch (const Poco::Exception& e) {
        return err(invalid_json_message(e.displayText()));
    }
    if (parsed.type() != typeid(Poco::JSON::Array::Ptr))
        return err(invalid_json_message("json: cannot unmarshal non-array into Go value of type []client.Job"));
    const auto array = parsed.extract<Poco::JSON::Array::Ptr>();
    const std::string now = format_rfc3339(state.clock.now());
    std::map<std::string, std::string> rejected;
    for (std::size_t i = 0; i < array->size(); ++i) {
        const auto element = array->get(static_cast<unsigned>(i));
        if (element.type() != typeid(Poco::JSON::Object::Ptr))
            return err(invalid_json_message("json: cannot unmarshal non-object into Go value of type client.Job"));
        const auto object = element.extract<Poco::JSON::Object::Ptr>();
        try {
            StoredJob job = job_from_json_object(object);
            if (job.created_at.empty()) job.created_at = now;  // one timestamp for the whole batch, as Faktory
            state.jobs.push(std::move(job));
        } catch (const JobRejected& e) {
            const auto jid = object->has("jid") && object->get("jid").isString()
                                 ? object->get("jid").extract<std::string>()
                                 : std::string();
            rejected[jid] = e.what();
        }
    }
    if (rejected.empty()) return bulk("{}");
    std::string out = "{";
    for (const auto& [jid, message] : rejected) {
        if (out.size() > 1) out += ',';
        append_go_json_string(out, jid);
        out += ':';
        append_go_json_string(out, message);
    }
    return bulk(out + "}");
}

CommandReply fetch(ServerState& state, const CommandOrigin& origin, std::string_view argument) {
    static const std::atomic<bool> never{false};
    const std::atomic<bool>& abandon = origin.abandon ? *origin.abandon : never;
    if (origin.registered_wid && state.workers.state_of(origin.wid) != LifecycleState::running) {
        // Faktory keeps a quiet worker's first connection waiting, then gives it nothing.
        state.jobs.fetch({}, origin.wid, fetch_block, abandon);
        return {resp::null_bulk(), false};
    }
    const auto queues = split_words(argument);
    if (queues.empty()) return err("must call fetch with at least one queue");
    auto job = state.jobs.fetch(queues, origin.wid, fetch_block, abandon);
    if (!job) return {resp::null_bulk(), false};
    return bulk(*job);
}

CommandReply ack(ServerState& state, std::string_view argument) {
    const auto object = as_object(parse_json(argument));
    const std::string invalid = "invalid ACK " + std::string(argument);
    if (!object) return err(invalid);
    // Faktory decodes ACK into map[string]string: any non-string member is an error.
    for (const auto& [key, value] : *object)
        if (!value.isString()) return err(invalid);
    if (!object->has("jid")) return err(invalid);
    state.jobs.ack(object->get("jid").extract<std::string>());
    return ok();
}

CommandReply fail(ServerState& state, std::string_view argument) {
    const auto object = as_object(parse_json(argument));
    const std::string invalid = "invalid FAIL " + std::string(argument);
    if (!object) return err(invalid);
    FailReport report;
    try {
        report.jid = string_member(object, "jid").value_or("");
        report.errtype = string_member(object, "errtype").value_or("");
        report.message = string_member(object, "message").value_or("");
        if (object->has("backtrace") && !object->get("backtrace").isEmpty()) {
            const auto lines = object->getArray("backtrace");
            if (lines.isNull()) return err(invalid);
            for (std::size_t i = 0; i < lines->size(); ++i) {
                const auto line = lines->get(static_cast<unsigned>(i));
                if (!line.isString()) return err(invalid);
                report.backtrace.push_back(line.extract<std::string>());
            }
        }
    } catch (const std::invalid_argument&) {
        return err(invalid);
    }
    if (report.jid.empty()) return err("missing JID");
    try {
        state.jobs.fail(report);
    } catch (const CommandRefused& e) {
        return err(e.what());
    }
    return ok();
}

CommandReply beat(ServerState& state, std::string_view argument) {
    const auto object = as_object(parse_json(argument));
    const std::string invalid = "invalid BEAT " + std::string(argument);
    if (!object) return err(invalid);
    std::string wid, current_state;
    try {
        wid = string_member(object, "wid").value_or("");
        current_state = string_member(object, "current_state").value_or("");
    } catch (const std::invalid_argument&) {
        return err(invalid);
    }
    const auto worker_state = state.workers.beat(wid, current_state);
    if (!worker_state) return err("unknown worker " + wid);
    if (*worker_state == LifecycleState::running) return ok();
    return bulk(std::string("{\"state\":\"") + to_string(*worker_state) + "\"}");
}

CommandReply queue(ServerState& state, std::string_view argument) {
    auto words = split_words(argument);
    if (words.size() < 2) return err("QUEUE needs PAUSE, RESUME or REMOVE and at least one queue name (or *)");
    const std::string action = words.front();
    words.erase(words.begin());
    if (action == "PAUSE") state.jobs.pause_queues(words);
    else if (action == "RESUME") state.jobs.resume_queues(words);
    else if (action == "REMOVE") state.jobs.remove_queues(words);
    return ok();  // Faktory ignores an unknown action too
}

CommandReply mutate(ServerState& state, std::string_view argument) {
    // Faktory splits the whole line on spaces and wants exactly two parts.
    if (argument.empty() || argument.find(' ') != std::string_view::npos) return err("invalid format");
    const auto parsed = parse_json(argument);
    const auto object = as_object(parsed);
    if (!object) return err("invalid character in MUTATE JSON: " + std::string(argument));
    try {
        state.jobs.mutate(object);
    } catch (const CommandRefused& e) {
        return err(e.what());
    } catch (const Poco::Exception& e) {
        return err(e.displayText());
    }
    return ok();
}

} // namespace

CommandReply execute_command(ServerState& state, const CommandOrigin& origin, std::string_view line) {
    const auto space = line.find(' ');
    const std::string_view verb = line.substr(0, space);
    const std::string_view argument = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
    try {
        if (verb == "PUSH") return push(state, argument);
        if (verb == "PUSHB") return push_bulk(state, argument);
        if (verb == "FETCH") return fetch(state, origin, argument);
        if (verb == "ACK") return ack(state, argument);
        if (verb == "FAIL") return fail(state, argument);
        if (verb == "BEAT") return beat(state, argument);
        if (verb == "INFO") return bulk(info_json(state));
        if (verb == "END") return {"", true};
        if (verb == "FLUSH") {
            state.jobs.flush();
            return ok();
        }
        if (verb == "QUEUE") return queue(state, argument);
        if (verb == "MUTATE") return mutate(state, argument);
        if (verb == "BATCH") return err("batch subsystem is only available in Faktory Enterprise");
        if (verb == "TRACK") return err("tracking subsystem is only available in Faktory Enterprise");
        return err("unknown command " + std::string(verb));
    } catch (const std::exception&) {
        return err("internal error");
    }
}

} // namespace faktory_host::devserver
