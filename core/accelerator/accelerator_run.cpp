#include "core/accelerator/accelerator_run.hpp"

#include "core/common/param_error.hpp"
#include "core/energy/technology.hpp"
#include "core/experiment/experiment.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <climits>
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace cbl {

namespace {

/// What a layer saw during a pass; shared by the layer's copies, filled from several threads
/// (integer counts and extrema, so the totals do not depend on the order).
struct LayerProbe {
    std::mutex lock;
    double input_min = std::numeric_limits<double>::infinity();
    double input_max = -std::numeric_limits<double>::infinity();
    double max_column_sum = 0;
    double max_output = 0;     ///< largest |W_q x_q| (integer units)
    std::uint64_t columns = 0; ///< input vectors seen (calibration: per image, per position)
    AcceleratorCounts counts;

    void reset() {
        input_min = std::numeric_limits<double>::infinity();
        input_max = -std::numeric_limits<double>::infinity();
        max_column_sum = 0;
        max_output = 0;
        columns = 0;
        counts = {};
    }
};

/// A weight node's matrix on the accelerator: inference only. In `observe` mode it multiplies
/// in full precision and records its input range (calibration of the static input formats).
template <typename Scalar>
class AcceleratorLayer final : public WeightLayer<Scalar> {
  public:
    using typename WeightLayer<Scalar>::Vec;
    using typename WeightLayer<Scalar>::Matrix;

    AcceleratorLayer(std::shared_ptr<const CrossbarMapping> mapping, Eigen::MatrixXd weights,
                     std::shared_ptr<LayerProbe> probe)
        : mapping_(std::move(mapping)), w_(std::move(weights)), probe_(std::move(probe)) {}

    /// Full precision, recording the input range (no mapping used).
    void observe() { observe_ = true; }
    /// Inputs quantised to `full_scale` (two's complement when signed), then the mapping.
    void run(double full_scale, std::shared_ptr<const CrossbarMapping> mapping) {
        observe_ = false;
        full_scale_ = full_scale;
        mapping_ = std::move(mapping);
    }
    /// Polls `control`'s stop; with `columns_per_image` > 0 (the last weight layer) counts the
    /// images through it into its images_done.
    void follow(AcceleratorRunControl* control, std::uint64_t columns_per_image) {
        control_ = control;
        columns_per_image_ = columns_per_image;
    }

    int outputs() const override { return int(w_.rows()); }
    int inputs() const override { return int(w_.cols()); }
    void forward_batch(const Matrix& x, Matrix& z, std::uint64_t eval_step) const override {
        const Eigen::MatrixXd xd = x.template cast<double>();
        if (observe_) {
            z = (w_ * xd).template cast<Scalar>();
            const std::lock_guard<std::mutex> hold(probe_->lock);
            probe_->input_min = std::min(probe_->input_min, xd.minCoeff());
            probe_->input_max = std::max(probe_->input_max, xd.maxCoeff());
            probe_->columns += std::uint64_t(xd.cols());
            return;
        }
        const std::atomic<bool>* stop = control_ ? &control_->stop : nullptr;
        if (stop && stop->load(std::memory_order_relaxed)) throw AcceleratorCancelled();
        const CrossbarMapping& m = *mapping_;
        const int bits =
            m.signed_inputs() ? m.config().hardware.input_bits - 1 : m.config().hardware.input_bits;
        const double top = std::ldexp(1.0, bits) - 1;
        const double lowest = m.signed_inputs() ? -top : 0.0;
        // Static format: the calibrated full scale maps to the largest code; beyond it clips.
        const Eigen::MatrixXd xq = (xd * (top / full_scale_)).array().round().max(lowest).min(top);
        AcceleratorCounts counts;
        double max_sum = 0;
        const Eigen::MatrixXd y = m.mvm(xq, eval_step, counts, max_sum, stop);
        z = (y * (m.weight_scale() * full_scale_ / top)).template cast<Scalar>();
        const std::lock_guard<std::mutex> hold(probe_->lock);
        probe_->counts += counts;
        probe_->max_column_sum = std::max(probe_->max_column_sum, max_sum);
        probe_->max_output = std::max(probe_->max_output, y.cwiseAbs().maxCoeff());
        if (columns_per_image_ > 0) control_->images_done += int(x.cols() / columns_per_image_);
    }
    Matrix weights() const override { return w_.template cast<Scalar>(); }
    std::unique_ptr<WeightLayer<Scalar>> clone() const override {
        return std::make_unique<AcceleratorLayer>(*this);
    }

    // The accelerator only infers: training paths are not part of this model.
    void forward(const Vec&, Vec&, StepContext&) override { inference_only(); }
    void backward(const Vec&, Vec&, StepContext&) override { inference_only(); }
    void commit_rank1(const Vec&, const Vec&, Scalar, StepContext&) override { inference_only(); }
    void commit(const Matrix&, StepContext&) override { inference_only(); }
    void save_state(const std::string&, StateArrays&) const override { inference_only(); }
    void load_state(const std::string&, const StateArrays&) override { inference_only(); }

  private:
    [[noreturn]] static void inference_only() {
        throw std::logic_error("the accelerator model runs inference only");
    }
    std::shared_ptr<const CrossbarMapping> mapping_;
    Eigen::MatrixXd w_;
    std::shared_ptr<LayerProbe> probe_;
    bool observe_ = false;
    double full_scale_ = 1;
    AcceleratorRunControl* control_ = nullptr;
    std::uint64_t columns_per_image_ = 0;
};

/// Energy, time and area of one layer's counts (per-operation constants: the twin's).
void cost(AcceleratorLayerReport& r, const CrossbarMapping& m, const AcceleratorConfig& cfg) {
    const RramCnnHardware& hw = cfg.costs;
    const AcceleratorCounts& c = r.counts;
    const int top = (1 << cfg.hardware.bits_per_cell) - 1;
    // Read energy per active cell scales with its conductance between G_off and G_on; ISAAC's
    // 30 pJ per 128 x 128 cycle is at full activity and mean level (rram_cnn.hpp).
    const double g_off = 1 / hw.on_off_ratio;
    const double cell_mid_pJ =
        hw.crossbar_cycle_pJ /
        (double(cfg.hardware.rows) * cfg.hardware.cols * (g_off + (1 - g_off) * 0.5));
    r.crossbar_pJ = cell_mid_pJ *
                    (g_off * double(c.active_cells) + (1 - g_off) * double(c.active_levels) / top);
    r.dac_pJ = hw.dac_pJ * double(c.dac_drives);
    r.adc_pJ = 0;
    for (std::size_t b = 1; b < c.adc_by_bits.size(); ++b)
        r.adc_pJ += interpolate_by_bits(hw.adc_energy_pJ, double(b)) * double(c.adc_by_bits[b]);
    const double mean_bits = c.adc_bits_per_conversion();
    r.shift_add_pJ = hw.shift_add_pJ * double(c.shift_adds);
    r.input_register_pJ = hw.input_register_pJ * double(c.crossbar_reads);
    r.buffer_pJ = hw.buffer_pJ_per_value * double(c.buffer_values);
    // One SAR ADC per array takes one step per bit (1.2 GS/s at 8 bits) for each used column;
    // the analog read of the next cycle overlaps the conversions (sample and hold).
    const double step_ns = 1 / (hw.adc_rate_GSps * 8);
    const double cycle_ns = std::max(hw.read_ns, m.columns_per_array() * mean_bits * step_ns);
    r.time_ns = double(c.cycles) * cycle_ns;
    r.area_mm2 =
        r.crossbars * (interpolate_by_bits(hw.adc_area_um2, r.adc_bits) + hw.other_area_um2) * 1e-6;
    r.ops = 2.0 * double(m.outputs()) * double(m.inputs()) * double(c.mvms);
}

/// Fewest bits whose range 0 .. 2^b - 1 holds `largest`.
int bits_for(double largest) {
    return std::max(1, int(std::bit_width(std::uint64_t(std::ceil(std::max(0.0, largest))))));
}

template <typename Scalar>
AcceleratorResult run_on(Network<Scalar>& net, const Experiment& e, const AcceleratorConfig& cfg,
                         const std::string& name, AcceleratorRunControl* control) {
    const int layers = net.weight_count();
    std::vector<std::shared_ptr<CrossbarMapping>> maps;
    std::vector<std::shared_ptr<LayerProbe>> probes;
    std::vector<AcceleratorLayer<Scalar>*> nodes;
    std::vector<Eigen::MatrixXd> weights;
    for (int k = 0; k < layers; ++k) {
        weights.push_back(e.weights(k).cast<double>());
        maps.push_back(std::make_shared<CrossbarMapping>(weights.back(), cfg, std::uint32_t(k)));
        probes.push_back(std::make_shared<LayerProbe>());
        auto layer =
            std::make_unique<AcceleratorLayer<Scalar>>(maps.back(), weights.back(), probes.back());
        layer->follow(control, 0);
        nodes.push_back(layer.get());
        net.replace_weight_layer(k, std::move(layer));
    }
    const Dataset calibration = e.data().train.head(cfg.calibration_images);

    // 1. Static input formats: each layer's input range on the calibration images.
    for (auto* n : nodes)
        n->observe();
    net.evaluate(calibration.images, calibration.labels, 0);
    std::vector<double> full_scale(layers);
    for (int k = 0; k < layers; ++k) {
        const LayerProbe& p = *probes[k];
        full_scale[k] = std::max({std::abs(p.input_min), std::abs(p.input_max), 1e-30});
        maps[k]->set_signed_inputs(p.input_min < 0);
    }
    // The last weight layer sees each image as often in the test run (progress in images).
    const std::uint64_t columns_per_image = std::max<std::uint64_t>(
        1, probes[layers - 1]->columns / std::uint64_t(std::max(1, calibration.size())));

    // 2. A/D resolution per layer: fixed, one bit less with the encoding (reference README 4),
    //    or (seed 001's A/D optimisation) the fewest bits holding the largest column sum seen on
    //    the calibration images through the same data path with an ideal converter.
    //    The SAR also stops at the output's significance: the layer's output keeps input_bits
    //    (the next layer's format) below the leading one of its largest calibrated value, with
    //    guard bits keeping the summed truncation errors of its N partial products under a
    //    quarter LSB (sigma sqrt(N / 12) <= 1/4), as in the twin.
    std::vector<int> adc_bits(layers, cfg.hardware.adc_bits - (cfg.options.encoding ? 1 : 0));
    std::vector<int> cutoff(layers, INT_MIN);
    if (cfg.options.adc_optimisation) {
        AcceleratorConfig probe_cfg = cfg;
        probe_cfg.force_bit_serial = true;
        for (int k = 0; k < layers; ++k) {
            auto m = std::make_shared<CrossbarMapping>(weights[k], probe_cfg, std::uint32_t(k));
            m->set_signed_inputs(maps[k]->signed_inputs());
            m->set_adc(16, true);
            nodes[k]->run(full_scale[k], m);
            probes[k]->reset();
        }
        net.evaluate(calibration.images, calibration.labels, 0);
        for (int k = 0; k < layers; ++k) {
            adc_bits[k] = std::min(16, bits_for(probes[k]->max_column_sum));
            const CrossbarMapping& m = *maps[k];
            const double summed = double(cfg.hardware.input_bits) * m.slices() * m.row_tiles();
            const int guard = int(std::ceil(std::log2(4 * std::sqrt(summed / 12))));
            const int lead = bits_for(probes[k]->max_output) - 1;
            cutoff[k] = lead - (cfg.hardware.input_bits - 1) - guard;
        }
    }
    for (int k = 0; k < layers; ++k) {
        adc_bits[k] = std::max(1, adc_bits[k]);
        maps[k]->set_adc(adc_bits[k], false, cutoff[k]);
        nodes[k]->run(full_scale[k], maps[k]);
        probes[k]->reset();
    }

    // 3. The test set (or its first test_images, copied only then).
    const Dataset& all = e.data().test;
    const bool limited = cfg.test_images > 0 && cfg.test_images < all.size();
    const Dataset head = limited ? all.head(cfg.test_images) : Dataset{};
    const Dataset& test = limited ? head : all;
    if (control) {
        control->images_done = 0;
        control->images_total = test.size();
        nodes.back()->follow(control, columns_per_image);
    }
    const auto t0 = std::chrono::steady_clock::now();
    const EvalResult eval = net.evaluate(test.images, test.labels, 1);
    AcceleratorResult r;
    r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.name = name;
    r.config = cfg;
    r.images = test.size();
    r.test_accuracy = eval.accuracy;
    for (int k = 0; k < layers; ++k) {
        const CrossbarMapping& m = *maps[k];
        AcceleratorLayerReport l;
        l.inputs = m.inputs();
        l.outputs = m.outputs();
        l.crossbars = m.crossbars();
        l.row_tiles = m.row_tiles();
        l.col_tiles = m.col_tiles();
        l.slices = m.slices();
        l.adc_bits = adc_bits[k];
        if (cutoff[k] != INT_MIN) l.adc_cutoff = cutoff[k];
        l.signed_inputs = m.signed_inputs();
        l.input_full_scale = full_scale[k];
        l.max_column_sum = probes[k]->max_column_sum;
        l.counts = probes[k]->counts;
        cost(l, m, cfg);
        r.layers.push_back(l);
    }
    return r;
}

template <class F>
double total(const AcceleratorResult& r, F part) {
    double s = 0;
    for (const auto& l : r.layers)
        s += part(l);
    return s;
}

} // namespace

double AcceleratorResult::energy_pJ() const {
    return total(*this, [](const auto& l) { return l.energy_pJ(); });
}
double AcceleratorResult::time_ns() const {
    return total(*this, [](const auto& l) { return l.time_ns; });
}
double AcceleratorResult::area_mm2() const {
    return total(*this, [](const auto& l) { return l.area_mm2; });
}
double AcceleratorResult::ops() const {
    return total(*this, [](const auto& l) { return l.ops; });
}

std::vector<AcceleratorEnergyPart> AcceleratorResult::energy_nJ_per_image_by_part() const {
    const auto part = [&](const char* key, double AcceleratorLayerReport::*f) {
        return AcceleratorEnergyPart{key, 1e-3 * total(*this, [&](const auto& l) { return l.*f; }) /
                                              images};
    };
    return {part("adc", &AcceleratorLayerReport::adc_pJ),
            part("input_register", &AcceleratorLayerReport::input_register_pJ),
            part("dac", &AcceleratorLayerReport::dac_pJ),
            part("crossbar", &AcceleratorLayerReport::crossbar_pJ),
            part("shift_add", &AcceleratorLayerReport::shift_add_pJ),
            part("buffer", &AcceleratorLayerReport::buffer_pJ)};
}

AcceleratorRatios AcceleratorResult::against(const AcceleratorResult& base) const {
    return {energy_efficiency_GOPS_per_W() / base.energy_efficiency_GOPS_per_W(),
            throughput_GOPS() / base.throughput_GOPS(),
            area_efficiency_GOPS_per_mm2() / base.area_efficiency_GOPS_per_mm2(),
            100 * (test_accuracy - base.test_accuracy)};
}

AcceleratorResult run_accelerator(const Experiment& e, const AcceleratorConfig& config,
                                  const std::string& name, AcceleratorRunControl* control) {
    config.validate();
    const Dataset& d = e.data().train;
    BuiltNetwork built = build_network(e.config(), {d.channels, d.height, d.width}, d.classes);
    return built.net32 ? run_on(*built.net32, e, config, name, control)
                       : run_on(*built.net64, e, config, name, control);
}

nlohmann::json to_json(const AcceleratorResult& r, const AcceleratorResult* base) {
    const double n = r.images;
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : r.layers) {
        const AcceleratorCounts& c = l.counts;
        const double mvms = double(std::max<std::uint64_t>(c.mvms, 1));
        layers.push_back(
            {{"inputs", l.inputs},
             {"outputs", l.outputs},
             {"crossbars", l.crossbars},
             {"row_tiles", l.row_tiles},
             {"weight_slices", l.slices},
             {"adc_bits", l.adc_bits},
             {"adc_cutoff", l.adc_cutoff ? nlohmann::json(*l.adc_cutoff) : nlohmann::json()},
             {"adc_bits_per_conversion", c.adc_bits_per_conversion()},
             {"signed_inputs", l.signed_inputs},
             {"input_full_scale", l.input_full_scale},
             {"max_column_sum", l.max_column_sum},
             {"cycles_per_mvm", double(c.cycles) / mvms},
             {"planes_streamed_fraction",
              c.planes_possible ? double(c.crossbar_reads) / l.col_tiles / c.planes_possible : 0.0},
             {"counts_per_image",
              {{"mvms", c.mvms / n},
               {"adc_conversions", c.adc_conversions / n},
               {"dac_drives", c.dac_drives / n},
               {"crossbar_reads", c.crossbar_reads / n},
               {"shift_adds", c.shift_adds / n},
               {"buffer_values", c.buffer_values / n}}},
             {"energy_nJ_per_image", 1e-3 * l.energy_pJ() / n},
             {"time_us_per_image", 1e-3 * l.time_ns / n},
             {"area_mm2", l.area_mm2}});
    }
    nlohmann::json parts = nlohmann::json::object();
    for (const AcceleratorEnergyPart& p : r.energy_nJ_per_image_by_part())
        parts[p.key] = p.nJ_per_image;
    nlohmann::json j = {{"name", r.name},
                        {"options", to_json(r.config)["options"]},
                        {"test_accuracy", r.test_accuracy},
                        {"energy_nJ_per_image", r.energy_nJ_per_image()},
                        {"energy_nJ_per_image_by_part", parts},
                        {"time_us_per_image", 1e-3 * r.time_ns() / n},
                        {"images_per_second_hw", r.images_per_second_hw()},
                        {"throughput_GOPS", r.throughput_GOPS()},
                        {"energy_efficiency_GOPS_per_W", r.energy_efficiency_GOPS_per_W()},
                        {"area_mm2", r.area_mm2()},
                        {"area_efficiency_GOPS_per_mm2", r.area_efficiency_GOPS_per_mm2()},
                        {"simulator_seconds", r.wall_seconds},
                        {"simulator_images_per_second", r.images / std::max(r.wall_seconds, 1e-9)},
                        {"layers", layers}};
    if (base) {
        const AcceleratorRatios x = r.against(*base);
        j["energy_efficiency_ratio"] = x.energy_efficiency;
        j["throughput_ratio"] = x.throughput;
        j["area_efficiency_ratio"] = x.area_efficiency;
        j["accuracy_change_points"] = x.accuracy_change_points;
    }
    return j;
}

} // namespace cbl
