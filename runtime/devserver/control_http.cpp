// Request routing and replies of the HTTP control port.
#include "devserver/control_http.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include "devserver/go_json.hpp"

namespace faktory_host::devserver {

namespace {

using Poco::Net::HTTPResponse;

void reply(Poco::Net::HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const std::string& json) {
    response.setStatus(status);
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(json.size() + 1));
    response.send() << json << '\n';
}

std::string error_body(const std::string& message) {
    std::string body = "{\"error\":";
    append_go_json_string(body, message);
    return body + "}";
}

class ControlHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit ControlHandler(const ControlActions& actions) : actions_(actions) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        std::vector<std::string> segments;
        Poco::URI(request.getURI()).getPathSegments(segments);
        const std::string& method = request.getMethod();
        if (segments.size() == 1 && segments[0] == "stats") {
            if (method != "GET") return reply(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED,
                                              error_body("use GET /stats"));
            return reply(response, HTTPResponse::HTTP_OK, actions_.stats_json());
        }
        if (segments.size() == 1 && segments[0] == "restart") return restart(request, response);
        if (segments.size() == 3 && segments[0] == "workers" &&
            (segments[2] == "quiet" || segments[2] == "terminate")) {
            if (method != "POST")
                return reply(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED,
                             error_body("use POST /workers/" + segments[1] + "/" + segments[2]));
            const std::string& wid = segments[1];
            const bool known = segments[2] == "quiet" ? actions_.quiet(wid) : actions_.terminate(wid);
            if (!known)
                return reply(response, HTTPResponse::HTTP_NOT_FOUND,
                             error_body(wid == "all" ? "no worker is connected" : "unknown worker " + wid));
            std::string body = "{\"wid\":";
            append_go_json_string(body, wid);
            body += ",\"state\":\"" + segments[2] + "\"}";
            return reply(response, HTTPResponse::HTTP_OK, body);
        }
        reply(response, HTTPResponse::HTTP_NOT_FOUND,
              error_body("no such path: " + request.getURI() +
                         " (try GET /stats, POST /workers/{wid|all}/quiet, POST /workers/{wid|all}/terminate, "
                         "POST /restart?down_ms=N)"));
    }

private:
    void restart(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
        if (request.getMethod() != "POST")
            return reply(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, error_body("use POST /restart?down_ms=N"));
        std::int64_t down_ms = 0;
        for (const auto& [key, value] : Poco::URI(request.getURI()).getQueryParameters()) {
            if (key != "down_ms")
                return reply(response, HTTPResponse::HTTP_BAD_REQUEST,
                             error_body("unknown parameter \"" + key + "\" (POST /restart?down_ms=N)"));
            std::size_t used = 0;
            try {
                down_ms = std::stoll(value, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != value.size() || value.empty() || down_ms < 0 || down_ms > 600000)
                return reply(response, HTTPResponse::HTTP_BAD_REQUEST,
                             error_body("down_ms must be a whole number of milliseconds from 0 to 600000, got \"" +
                                        value + "\""));
        }
        if (!actions_.restart(std::chrono::milliseconds(down_ms)))
            return reply(response, HTTPResponse::HTTP_SERVICE_UNAVAILABLE, error_body("the server is stopping"));
        reply(response, HTTPResponse::HTTP_OK, "{\"restarted\":true,\"down_ms\":" + std::to_string(down_ms) + "}");
    }

    const ControlActions& actions_;
};

class ControlHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit ControlHandlerFactory(ControlActions actions) : actions_(std::move(actions)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new ControlHandler(actions_);
    }

private:
    ControlActions actions_;
};

} // namespace

Poco::Net::HTTPRequestHandlerFactory::Ptr make_control_handler_factory(ControlActions actions) {
    return new ControlHandlerFactory(std::move(actions));
}

} // namespace faktory_host::devserver
