// The dev server's HTTP control port, standing in for Faktory's Web UI:
// GET /stats, POST /workers/{wid|all}/quiet, POST /workers/{wid|all}/terminate,
// POST /restart?down_ms=N (a Faktory restart that keeps the jobs).
#pragma once
#include <chrono>
#include <functional>
#include <string>

#include <Poco/Net/HTTPRequestHandlerFactory.h>

namespace faktory_host::devserver {

struct ControlActions {
    std::function<std::string()> stats_json;
    std::function<bool(const std::string& wid)> quiet;
    std::function<bool(const std::string& wid)> terminate;
    std::function<bool(std::chrono::milliseconds down_for)> restart;  // false: the server is stopping
};

Poco::Net::HTTPRequestHandlerFactory::Ptr make_control_handler_factory(ControlActions actions);

} // namespace faktory_host::devserver
