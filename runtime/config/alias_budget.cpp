// check_alias_budget: one pass over yaml-cpp's parser events, keeping only the
// expanded size of every finished anchored node, so memory stays proportional
// to the file, never to its expansion.
#include "config/alias_budget.hpp"

#include <map>
#include <sstream>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include "config/config.hpp"

namespace faktory_host::config {

namespace {

// What a node amounts to once every alias inside it is expanded.
struct Expanded {
    std::size_t nodes = 0;
    std::size_t bytes = 0;
};

class ExpansionCounter : public YAML::EventHandler {
public:
    ExpansionCounter(const std::string& display_name, const AliasBudget& budget)
        : display_name_(display_name), budget_(budget) {}

    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}

    void OnNull(const YAML::Mark&, YAML::anchor_t anchor) override { finish(Expanded{1, 0}, anchor); }
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t anchor, const std::string& value) override {
        finish(Expanded{1, value.size()}, anchor);
    }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        const auto found = finished_.find(anchor);
        // The anchor is still open: the alias sits inside the node it names.
        if (found == finished_.end()) refuse(mark, "an alias refers to a node that contains it");
        const Expanded& size = found->second;
        // Each sum stays below text size + budget (refused as soon as it is
        // crossed), so none of these additions can wrap.
        added_.nodes += size.nodes;
        added_.bytes += size.bytes;
        if (added_.nodes > budget_.nodes || added_.bytes > budget_.bytes)
            refuse(mark, "aliases expand this file beyond " + std::to_string(budget_.nodes) + " extra nodes or " +
                             std::to_string(budget_.bytes / 1024) + " KiB; write the values out or use fewer aliases");
        finish(size, YAML::NullAnchor);
    }
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        open_.push_back({Expanded{1, 0}, anchor});
    }
    void OnSequenceEnd() override { close(); }
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
        open_.push_back({Expanded{1, 0}, anchor});
    }
    void OnMapEnd() override { close(); }

private:
    struct OpenCollection {
        Expanded size;
        YAML::anchor_t anchor;
    };

    void finish(const Expanded& size, YAML::anchor_t anchor) {
        if (anchor != YAML::NullAnchor) finished_[anchor] = size;
        if (open_.empty()) return;
        open_.back().size.nodes += size.nodes;
        open_.back().size.bytes += size.bytes;
    }
    void close() {
        const OpenCollection done = open_.back();
        open_.pop_back();
        finish(done.size, done.anchor);
    }
    [[noreturn]] void refuse(const YAML::Mark& mark, const std::string& why) const {
        throw ConfigError(display_name_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) +
                          ": " + why);
    }

    const std::string& display_name_;
    const AliasBudget& budget_;
    std::vector<OpenCollection> open_;
    std::map<YAML::anchor_t, Expanded> finished_;
    Expanded added_;
};

} // namespace

void check_alias_budget(const std::string& yaml_text, const std::string& display_name, const AliasBudget& budget) {
    std::istringstream in(yaml_text);
    ExpansionCounter counter(display_name, budget);
    try {
        YAML::Parser parser(in);
        parser.HandleNextDocument(counter);
    } catch (const YAML::Exception&) {
        // Reported, with its position, by the load that follows.
    }
}

} // namespace faktory_host::config
