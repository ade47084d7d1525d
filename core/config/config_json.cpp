// JSON reading, writing and validation of the typed configs, all from the schema table
// (core/config/fields.hpp): a field is checked once, when it is read, against its range.
#include "core/common/param_error.hpp"
#include "core/config/fields.hpp"

#include <set>

namespace cbl {
namespace schema {
namespace {

/// Reads the fields of one JSON object; unknown keys are refused with their path ("comment" is
/// allowed everywhere).
class Reader {
  public:
    Reader(const nlohmann::json& j, std::string prefix, std::string owner = "")
        : j_(j), prefix_(std::move(prefix)), owner_(std::move(owner)) {
        if (!j_.is_object())
            throw InputError((prefix_.empty() ? "config" : prefix_.substr(0, prefix_.size() - 1)) +
                             " must be a JSON object");
    }
    template <class T>
    void operator()(T& member, const FieldSpec& s) {
        seen_.insert(s.path);
        const auto it = j_.find(s.path);
        if (it == j_.end()) return;
        const std::string why = typed<T>(s, prefix_).refusal(*it);
        if (!why.empty()) throw InputError(why);
        from_value(*it, member);
    }
    void allow(const char* key) { seen_.insert(key); }
    void finish() const {
        for (const auto& [key, value] : j_.items())
            if (!seen_.count(key) && key != "comment")
                throw InputError(prefix_ + key + " is not a known field" + owner_);
    }

  private:
    const nlohmann::json& j_;
    std::string prefix_, owner_;
    std::set<std::string> seen_;
};

struct Writer {
    nlohmann::json& j;
    template <class T>
    void operator()(const T& member, const FieldSpec& s) {
        j[s.path] = to_value(member);
    }
};

/// Range check of a typed struct built in code (the reader checks JSON as it reads).
struct Checker {
    std::string prefix;
    template <class T>
    void operator()(const T& member, const FieldSpec& s) const {
        const std::string why = typed<T>(s, prefix).refusal(to_value(member));
        if (!why.empty()) throw InputError(why);
    }
};

template <class T>
void read(const nlohmann::json& j, const std::string& prefix, T& c,
          std::initializer_list<const char*> nested = {}) {
    Reader r(j, prefix);
    describe(r, c);
    for (const char* k : nested)
        r.allow(k);
    r.finish();
}

template <class T>
nlohmann::json write(const T& c) {
    nlohmann::json j = nlohmann::json::object();
    Writer w{j};
    describe(w, const_cast<T&>(c)); // describe() only reads through the writer
    return j;
}

template <class T>
void check(const std::string& prefix, const T& c) {
    const Checker ck{prefix};
    describe(ck, const_cast<T&>(c)); // describe() only reads through the checker
}

template <class P>
void check_device(const P& p) {
    check("device.", p);
    require_less("device.g_min_uS", p.g_min_uS, "device.g_max_uS", p.g_max_uS);
}

void check_tile_cross(const TileConfig& c) {
    const double lo = c.device.g_min_uS(), hi = c.device.g_max_uS();
    for (auto [field, value] :
         {std::pair{"tile.g_ref_uS", c.g_ref_uS}, std::pair{"tile.init_mean_uS", c.init_mean_uS}})
        if (!(value >= lo && value <= hi))
            throw InputError(
                std::string(field) + " = " + format_number(value) +
                " uS is outside the device window device.g_min_uS = " + format_number(lo) +
                " .. device.g_max_uS = " + format_number(hi) + " uS");
    if (c.pairs_per_weight > 1 && c.mapping != WeightMapping::differential)
        throw InputError("tile.pairs_per_weight = " + std::to_string(c.pairs_per_weight) +
                         " needs tile.mapping = \"differential\" (pairs of devices)");
}

void check_scheme_cross(const SchemeConfig& c) {
    if (c.quantize_delta_range.empty())
        throw InputError("scheme.quantize_delta_range needs one value per weight layer (or one)");
}

void check_rl_cross(const rl::DqnConfig& c) {
    if (c.hidden.empty() || c.hidden.size() > 8)
        throw InputError("rl.hidden needs 1 to 8 layer widths, got " +
                         std::to_string(c.hidden.size()));
}

void check_gan_cross(const gan::GanConfig& c) {
    for (auto [field, hidden] : {std::pair{"gan.generator_hidden", &c.generator_hidden},
                                 std::pair{"gan.discriminator_hidden", &c.discriminator_hidden}})
        if (hidden->empty() || hidden->size() > 8)
            throw InputError(std::string(field) + " needs 1 to 8 layer widths, got " +
                             std::to_string(hidden->size()));
}

void check_experiment_cross(const ExperimentConfig& c) {
    if (c.network.layers.size() < 2)
        throw InputError("network.layers needs at least 2 entries (inputs and outputs)");
    check_scheme_cross(c.scheme);
    check_rl_cross(c.rl);
    // The array applies each sample's outer product as it comes (TimeScheme): there is no
    // gradient memory to sum a mini-batch in, nor a state for momentum or Adam.
    if (c.scheme.type == "time" && c.scheme.update_location == "array") {
        const int batch = c.task == "rl" ? c.rl.batch_size : c.training.batch_size;
        if (batch != 1)
            throw InputError("scheme.update_location = array updates the array per sample: " +
                             std::string(c.task == "rl" ? "rl" : "training") +
                             ".batch_size must be 1, got " + std::to_string(batch));
        if (c.training.optimizer.type != "sgd")
            throw InputError("scheme.update_location = array applies plain SGD: "
                             "training.optimizer.type must be sgd, got " +
                             c.training.optimizer.type);
    }
    // The agent's Q-network is an fp32 network (core/rl/dqn.hpp).
    if (c.task == "rl" && c.training.precision != "fp32")
        throw InputError("training.precision = " + c.training.precision +
                         ": task = rl trains an fp32 Q-network");
    check_gan_cross(c.gan);
    if (c.task == "gan" && c.training.precision != "fp32")
        throw InputError("training.precision = " + c.training.precision +
                         ": task = gan trains fp32 networks");
}

/// The tile's own fields and converters; the device model is read by the caller.
void read_tile(const nlohmann::json& j, TileConfig& c, bool with_device) {
    if (j.is_object() && j.contains("device") && !with_device)
        throw InputError("tile.device: give the device model in the top-level \"device\" object");
    read(j, "tile.", c, {"device", "peripherals"});
    if (j.contains("peripherals")) from_json(j["peripherals"], c.peripherals);
}

} // namespace
} // namespace schema

using namespace schema;

// Device models.
void PcmParams::validate() const {
    check_device(*this);
}
void RramParams::validate() const {
    check_device(*this);
}
void IdealParams::validate() const {
    check_device(*this);
}
void SoftBoundsParams::validate() const {
    check_device(*this);
}
void to_json(nlohmann::json& j, const PcmParams& p) {
    j = write(p);
}
void to_json(nlohmann::json& j, const RramParams& p) {
    j = write(p);
}
void to_json(nlohmann::json& j, const IdealParams& p) {
    j = write(p);
}
void to_json(nlohmann::json& j, const SoftBoundsParams& p) {
    j = write(p);
}
void from_json(const nlohmann::json& j, PcmParams& p) {
    read(j, "device.", p);
}
void from_json(const nlohmann::json& j, RramParams& p) {
    read(j, "device.", p);
}
void from_json(const nlohmann::json& j, IdealParams& p) {
    read(j, "device.", p);
}
void from_json(const nlohmann::json& j, SoftBoundsParams& p) {
    read(j, "device.", p);
}

void DeviceParams::validate() const {
    std::visit([](const auto& m) { m.validate(); }, model);
}

void to_json(nlohmann::json& j, const DeviceParams& p) {
    std::visit([&j](const auto& m) { j = write(m); }, p.model);
    j["family"] = p.family();
}

void from_json(const nlohmann::json& j, DeviceParams& p) {
    if (!j.is_object()) throw InputError("device must be a JSON object");
    const FieldSpec& family = *find_field("device.family");
    const auto it = j.find("family");
    if (it == j.end()) {
        if (j.empty()) return; // {}: the default model
        throw InputError("device.family is missing; allowed " + family.allowed());
    }
    if (const std::string why = family.refusal(*it); !why.empty()) throw InputError(why);
    p = DeviceParams::of_family(it->get<std::string>());
    std::visit(
        [&](auto& m) {
            Reader r(j, "device.", " of the " + p.family() + " device family");
            describe(r, m);
            r.allow("family");
            r.finish();
            check_device(m);
        },
        p.model);
}

// Tile.
void PeripheralConfig::validate() const {
    check("tile.peripherals.", *this);
}

void TileConfig::validate() const {
    device.validate();
    check("tile.", *this);
    peripherals.validate();
    check_tile_cross(*this);
}

void to_json(nlohmann::json& j, const PeripheralConfig& p) {
    j = write(p);
}

void from_json(const nlohmann::json& j, PeripheralConfig& p) {
    read(j, "tile.peripherals.", p);
}

void to_json(nlohmann::json& j, const TileConfig& c) {
    j = write(c);
    j["device"] = c.device;
    j["peripherals"] = c.peripherals;
}

void from_json(const nlohmann::json& j, TileConfig& c) {
    read_tile(j, c, true);
    if (j.contains("device")) from_json(j["device"], c.device);
    check_tile_cross(c);
}

// Scheme and optimizer.
void SchemeConfig::validate() const {
    check("scheme.", *this);
    check_scheme_cross(*this);
}

void to_json(nlohmann::json& j, const SchemeConfig& c) {
    j = write(c);
}

void from_json(const nlohmann::json& j, SchemeConfig& c) {
    read(j, "scheme.", c);
    check_scheme_cross(c);
}

void OptimizerConfig::validate() const {
    check("training.optimizer.", *this);
}

void to_json(nlohmann::json& j, const OptimizerConfig& c) {
    j = write(c);
}

void from_json(const nlohmann::json& j, OptimizerConfig& c) {
    read(j, "training.optimizer.", c);
}

// The DQN agent (core/rl/dqn.hpp).
void rl::DqnConfig::validate() const {
    check("rl.", *this);
    check_rl_cross(*this);
}

void rl::to_json(nlohmann::json& j, const DqnConfig& c) {
    j = write(c);
}

void rl::from_json(const nlohmann::json& j, DqnConfig& c) {
    read(j, "rl.", c);
    check_rl_cross(c);
}

// The GAN (core/gan/gan.hpp).
void gan::GanConfig::validate() const {
    check("gan.", *this);
    check_gan_cross(*this);
}

void gan::to_json(nlohmann::json& j, const GanConfig& c) {
    j = write(c);
}

void gan::from_json(const nlohmann::json& j, GanConfig& c) {
    read(j, "gan.", c);
    check_gan_cross(c);
}

// The experiment: the groups as the user writes them, the device model at the top level.
void ExperimentConfig::validate() const {
    const Checker top{""};
    describe_top(top, const_cast<ExperimentConfig&>(*this));
    check("network.", network);
    check("training.", training);
    training.optimizer.validate();
    check("dataset.", dataset);
    rl.validate();
    gan.validate();
    scheme.validate();
    tile.validate();
    check_experiment_cross(*this);
}

void to_json(nlohmann::json& j, const ExperimentConfig& c) {
    j = nlohmann::json::object();
    Writer top{j};
    describe_top(top, const_cast<ExperimentConfig&>(c));
    j["network"] = write(c.network);
    if (!c.network.graph.empty()) j["network"]["graph"] = c.network.graph;
    j["training"] = write(c.training);
    j["training"]["optimizer"] = c.training.optimizer;
    j["dataset"] = write(c.dataset);
    j["rl"] = c.rl;
    j["gan"] = c.gan;
    j["scheme"] = c.scheme;
    j["device"] = c.tile.device;
    j["tile"] = c.tile;
    j["tile"].erase("device");
}

void from_json(const nlohmann::json& j, ExperimentConfig& c) {
    c = ExperimentConfig{};
    Reader top(j, "");
    describe_top(top, c);
    for (const char* group :
         {"network", "training", "dataset", "rl", "gan", "scheme", "device", "tile"})
        top.allow(group);
    top.finish();
    if (j.contains("network")) {
        read(j["network"], "network.", c.network, {"graph"});
        if (j["network"].contains("graph"))
            c.network.graph = layer_specs_from_json(j["network"]["graph"]);
    }
    if (j.contains("training")) {
        read(j["training"], "training.", c.training, {"optimizer"});
        if (j["training"].contains("optimizer"))
            from_json(j["training"]["optimizer"], c.training.optimizer);
    }
    if (j.contains("dataset")) read(j["dataset"], "dataset.", c.dataset);
    if (j.contains("rl")) from_json(j["rl"], c.rl);
    if (j.contains("gan")) from_json(j["gan"], c.gan);
    if (j.contains("scheme")) from_json(j["scheme"], c.scheme);
    if (j.contains("device")) from_json(j["device"], c.tile.device);
    if (j.contains("tile")) read_tile(j["tile"], c.tile, false);
    check_tile_cross(c.tile);
    check_experiment_cross(c);
}

} // namespace cbl
