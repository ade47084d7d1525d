#pragma once
// Well-formed session files with wrong contents (issue 20, "what fails"): each case takes a valid
// saved session, changes one dataset or attribute with the HDF5 API, and names the one-line
// refusal expected from load_session(). Shared by the unit test (tests/unit/tst_session_content)
// and the GUI test (tests/gui/tst_session_open), which open the same files.
#include "core/common/param_error.hpp"
#include "core/session/hdf5_io.hpp"
#include "core/session/session_file.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace cbl::crafted {

/// A saved session opened for surgery.
class Surgery {
  public:
    explicit Surgery(const std::string& path, bool writable = true)
        : file_(h5::checked(
              H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT),
              H5Fclose, path)) {}
    hid_t file() const { return file_.get(); }

    bool has(const std::string& dataset) const { return h5::exists(file(), dataset); }
    h5::NumericArray read(const std::string& dataset) const {
        h5::Budget unlimited(~0ull);
        return h5::read_numeric(file(), dataset, unlimited);
    }
    /// Replaces a dataset by `values` of `shape`; its attributes (unit, stages, fields) stay.
    template <typename T>
    void replace(const std::string& dataset, const std::vector<T>& values,
                 const std::vector<std::size_t>& shape) {
        h5::Budget unlimited(~0ull);
        std::vector<std::pair<std::string, std::string>> texts;
        std::vector<std::pair<std::string, std::vector<std::string>>> lists;
        {
            h5::Id ds =
                h5::checked(H5Dopen2(file(), dataset.c_str(), H5P_DEFAULT), H5Dclose, dataset);
            if (h5::has_attribute(ds.get(), "unit"))
                texts.emplace_back("unit", h5::read_string_attribute(ds.get(), "unit", unlimited));
            for (const char* name : {"stages", "fields"})
                if (h5::has_attribute(ds.get(), name))
                    lists.emplace_back(name, h5::read_strings_attribute(ds.get(), name, unlimited));
        }
        remove(dataset);
        h5::Id ds = h5::write_dataset(file(), dataset, values.data(), shape);
        for (const auto& [name, text] : texts)
            h5::write_attribute(ds.get(), name, text);
        for (const auto& [name, list] : lists)
            h5::write_attribute(ds.get(), name, list);
    }
    /// Sets entry `i` of a numeric dataset, in its own element type.
    void set(const std::string& dataset, std::size_t i, double value) {
        h5::NumericArray a = read(dataset);
        std::visit(
            [&](auto& v) {
                using T = typename std::decay_t<decltype(v)>::value_type;
                v.at(i) = static_cast<T>(value);
                replace(dataset, v, a.shape);
            },
            a.data);
    }
    void remove(const std::string& link) {
        h5::check(H5Ldelete(file(), link.c_str(), H5P_DEFAULT), link);
    }

    template <typename T>
    void set_attribute(const std::string& object, const std::string& name, T value) {
        h5::Id o = h5::checked(H5Oopen(file(), object.c_str(), H5P_DEFAULT), H5Oclose, object);
        h5::check(H5Adelete(o.get(), name.c_str()), name);
        h5::write_attribute(o.get(), name, value);
    }
    /// Changes the stored config (root attribute "config") as JSON.
    void edit_config(const std::function<void(nlohmann::json&)>& change) {
        h5::Budget unlimited(~0ull);
        nlohmann::json j =
            nlohmann::json::parse(h5::read_string_attribute(file(), "config", unlimited));
        change(j);
        set_attribute("/", "config", j.dump());
    }

  private:
    h5::Id file_;
};

struct Case {
    std::string name;   ///< file name stem, e.g. "g_plus_transposed"
    std::string needle; ///< what the one-line refusal must contain
    std::function<void(Surgery&)> edit;
    std::string needs = {}; ///< a dataset the case changes; cases whose base lacks it are skipped
};

inline std::string shape_text(const std::vector<std::size_t>& s) {
    std::string t = "(";
    for (std::size_t i = 0; i < s.size(); ++i)
        t += (i ? ", " : "") + std::to_string(s[i]);
    return t + ")";
}

/// What the base session is saved with: the GUI's settings (two pins, a held colour scale), so
/// that the /gui cases apply.
inline SessionInfo base_info() {
    SessionInfo info;
    info.gui = SessionGui{{{0, 1, 2}, {1, 0, 0}}, true, 0, 20.0, 0.5, 1.0};
    return info;
}

/// The cases for a base session of two weight layers with at least one finished epoch, an event,
/// batch size 1 and a session time > 0. Crossbar and Adam cases need those arrays (`needs`).
inline std::vector<Case> cases() {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<Case> c;
    // Shapes and dtypes against the config.
    c.push_back({"g_plus_transposed", "/state/layer_0/g_plus: has shape ",
                 [](Surgery& s) {
                     h5::NumericArray a = s.read("/state/layer_0/g_plus");
                     s.replace("/state/layer_0/g_plus", std::get<std::vector<float>>(a.data),
                               {a.shape[1], a.shape[0]});
                 },
                 "/state/layer_0/g_plus"});
    c.push_back({"g_plus_float64", "/state/layer_0/g_plus: is float64, expected float32",
                 [](Surgery& s) {
                     h5::NumericArray a = s.read("/state/layer_0/g_plus");
                     const auto& f = std::get<std::vector<float>>(a.data);
                     s.replace("/state/layer_0/g_plus", std::vector<double>(f.begin(), f.end()),
                               a.shape);
                 },
                 "/state/layer_0/g_plus"});
    c.push_back({"w_missing", "/state/layer_1/w: is missing",
                 [](Surgery& s) { s.remove("/state/layer_1/w"); }, "/state/layer_1/w"});
    c.push_back({"device_updates_3_layers",
                 "/history/device_updates: has 3 layers per epoch, expected 2", [](Surgery& s) {
                     h5::NumericArray a = s.read("/history/device_updates");
                     const std::size_t epochs = a.shape[0];
                     s.replace("/history/device_updates", std::vector<std::uint64_t>(epochs * 3, 7),
                               {epochs, 3});
                 }});
    // Counts.
    c.push_back({"images_negative", "/history/images[0]: = -5, expected a count >= 0",
                 [](Surgery& s) { s.set("/history/images", 0, -5); }});
    c.push_back({"step_ahead", "/state attribute step: = ", [](Surgery& s) {
                     h5::Id g = h5::open_group(s.file(), "/state");
                     const std::uint64_t step = h5::read_uint64_attribute(g.get(), "step");
                     s.set_attribute("/state", "step", std::uint64_t(step + 5));
                 }});
    c.push_back({"in_batch_past_batch", "/state attribute in_batch: = 3, expected fewer than",
                 [](Surgery& s) { s.set_attribute("/state", "in_batch", std::int64_t(3)); }});
    c.push_back({"epoch_out_of_order", "/history/epoch[0]: = 5, expected 1",
                 [](Surgery& s) { s.set("/history/epoch", 0, 5); }});
    c.push_back({"op_count_2_64", "/history/op_counts: holds 18446744073709551615", [](Surgery& s) {
                     h5::NumericArray a = s.read("/history/op_counts");
                     auto& v = std::get<std::vector<std::uint64_t>>(a.data);
                     v[3] = ~0ull;
                     s.replace("/history/op_counts", v, a.shape);
                 }});
    c.push_back({"event_after_step",
                 "/events/step[0]: = ", [](Surgery& s) { s.set("/events/step", 0, 1e15); }});
    // Times and values.
    for (const auto& [name, value] :
         {std::pair{"nan", nan}, std::pair{"minus_1", -1.0}, std::pair{"inf", inf}})
        c.push_back({std::string("simulated_time_") + name,
                     "/state attribute simulated_time_s: = ", [value = value](Surgery& s) {
                         s.set_attribute("/state", "simulated_time_s", value);
                     }});
    c.push_back({"loss_sum_negative", "/state attribute loss_sum: = -1",
                 [](Surgery& s) { s.set_attribute("/state", "loss_sum", -1.0); }});
    c.push_back({"test_accuracy_7_5", "/history/test_accuracy[0]: = 7.5, expected a fraction",
                 [](Surgery& s) { s.set("/history/test_accuracy", 0, 7.5); }});
    c.push_back({"train_loss_nan", "/history/train_loss[0]: = nan, expected a finite loss",
                 [nan](Surgery& s) { s.set("/history/train_loss", 0, nan); }});
    c.push_back({"epoch_time_after_session", "/history/simulated_time_s[0]: = 1000000000",
                 [](Surgery& s) { s.set("/history/simulated_time_s", 0, 1e9); }});
    c.push_back({"weight_nan", "/state/layer_0/w[0]: = nan, expected a finite value",
                 [nan](Surgery& s) { s.set("/state/layer_0/w", 0, nan); }, "/state/layer_0/w"});
    c.push_back({"chi_inf", "/state/layer_1/chi[2]: = inf, expected a finite value",
                 [inf](Surgery& s) { s.set("/state/layer_1/chi", 2, inf); }, "/state/layer_1/chi"});
    c.push_back({"adam_m_nan", "/state/layer_0/optimizer_adam_m[1]: = nan",
                 [nan](Surgery& s) { s.set("/state/layer_0/optimizer_adam_m", 1, nan); },
                 "/state/layer_0/optimizer_adam_m"});
    c.push_back({"adam_v_negative", "/state/layer_0/optimizer_adam_v[0]: = -1, expected a square",
                 [](Surgery& s) { s.set("/state/layer_0/optimizer_adam_v", 0, -1); },
                 "/state/layer_0/optimizer_adam_v"});
    c.push_back({"conductance_above_window", "expected a conductance inside the device window",
                 [](Surgery& s) { s.set("/state/layer_0/g_plus", 4, 1000); },
                 "/state/layer_0/g_plus"});
    c.push_back({"conductance_nan", "/state/layer_0/g_minus[0]: = nan",
                 [nan](Surgery& s) { s.set("/state/layer_0/g_minus", 0, nan); },
                 "/state/layer_0/g_minus"});
    c.push_back({"drift_time_in_future", "s is after the session's simulated time",
                 [](Surgery& s) { s.set("/state/layer_0/t_p_plus", 0, 1e9); },
                 "/state/layer_0/t_p_plus"});
    c.push_back({"tile_clock_nan", "/state/layer_1/tile_times[0]: = nan, expected a time",
                 [nan](Surgery& s) { s.set("/state/layer_1/tile_times", 0, nan); },
                 "/state/layer_1/tile_times"});
    c.push_back({"tile_youngest_age_negative",
                 "/state/layer_1/tile_times[2]: = -1, expected a time",
                 [](Surgery& s) { s.set("/state/layer_1/tile_times", 2, -1); },
                 "/state/layer_1/tile_times"});
    // The stored config: the preset schema and resource names.
    c.push_back({"config_seed_negative", "attribute config: training.seed", [](Surgery& s) {
                     s.edit_config([](nlohmann::json& j) { j["training"]["seed"] = -1; });
                 }});
    c.push_back({"config_epochs_2_32", "attribute config: training.epochs", [](Surgery& s) {
                     s.edit_config(
                         [](nlohmann::json& j) { j["training"]["epochs"] = 4294967297ll; });
                 }});
    for (const auto& [name, technology] :
         {std::pair{"config_technology_parent", "../../etc/passwd"},
          std::pair{"config_technology_absolute", "/etc/passwd"}})
        c.push_back({name, "attribute config: technology", [technology = technology](Surgery& s) {
                         s.edit_config([&](nlohmann::json& j) { j["technology"] = technology; });
                     }});
    c.push_back({"config_technology_unknown",
                 "attribute config: technology = \"gold-1nm\" is not a preset of "
                 "resources/technology",
                 [](Surgery& s) {
                     s.edit_config([](nlohmann::json& j) { j["technology"] = "gold-1nm"; });
                 }});
    c.push_back(
        {"config_not_json", "attribute config: not valid JSON at line 1, column 13",
         [](Surgery& s) { s.set_attribute("/", "config", std::string("{\"network\": ")); }});
    c.push_back({"config_nan_literal", "attribute config: not valid JSON", [](Surgery& s) {
                     s.set_attribute("/", "config",
                                     std::string("{\"training\": {\"learning_rate\": NaN}}"));
                 }});
    // The GUI's settings (saved with base_info()).
    const std::string pins = "/gui/pinned_synapses";
    c.push_back({"gui_pin_row_outside", "/gui/pinned_synapses[0] row: = 100000, expected 0 .. ",
                 [pins](Surgery& s) { s.set(pins, 1, 100000); }, pins});
    c.push_back({"gui_pin_layer_outside",
                 "/gui/pinned_synapses[1] layer: = 7, expected a weight layer 0 .. 1",
                 [pins](Surgery& s) { s.set(pins, 3, 7); }, pins});
    c.push_back({"gui_pin_negative", "/gui/pinned_synapses[0] column = -3 is invalid",
                 [pins](Surgery& s) { s.set(pins, 2, -3); }, pins});
    c.push_back({"gui_pins_flat",
                 "/gui/pinned_synapses is int64 of rank 1, expected int64 of shape (n, 3)",
                 [pins](Surgery& s) {
                     s.replace(pins, std::vector<std::int64_t>{0, 1, 2}, {3});
                 },
                 pins});
    c.push_back(
        {"gui_hold_2", "/gui: attribute heatmap_hold_colour_scale = 2, expected 0 (off) or 1 (on)",
         [](Surgery& s) { s.set_attribute("/gui", "heatmap_hold_colour_scale", std::int64_t(2)); },
         pins});
    c.push_back({"gui_g_max_nan", "/gui attribute heatmap_g_max_uS: = nan, expected",
                 [nan](Surgery& s) { s.set_attribute("/gui", "heatmap_g_max_uS", nan); }, pins});
    c.push_back({"gui_layer_outside", "/gui attribute heatmap_layer: = 2, expected a weight layer",
                 [](Surgery& s) { s.set_attribute("/gui", "heatmap_layer", std::int64_t(2)); },
                 pins});
    return c;
}

/// Copies `good` to `dir`/<case>.h5 and applies the case; returns the new file's path.
inline std::string make(const Case& k, const std::string& good, const std::string& dir) {
    const std::string path = dir + "/" + k.name + ".h5";
    std::filesystem::copy_file(good, path, std::filesystem::copy_options::overwrite_existing);
    Surgery s(path);
    k.edit(s);
    return path;
}

/// Whether the base session at `good` has what the case changes.
inline bool applies(const Case& k, const std::string& good) {
    return k.needs.empty() || Surgery(good, false).has(k.needs);
}

} // namespace cbl::crafted
