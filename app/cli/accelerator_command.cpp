#include "app/cli/accelerator_command.hpp"

#include "core/accelerator/accelerator_designs.hpp"
#include "core/experiment/experiment.hpp"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>

namespace cbl {

namespace {

/// "LO:HI" ADC resolutions, each 1 .. 16 bits.
std::pair<int, int> sweep_range(const std::string& text) {
    const std::string bad =
        "--adc-bits-sweep " + text + ": expected LO:HI with 1 <= LO <= HI <= 16";
    const auto colon = text.find(':');
    if (colon == std::string::npos) throw InputError(bad);
    try {
        std::size_t used_lo = 0, used_hi = 0;
        const std::string lo_text = text.substr(0, colon), hi_text = text.substr(colon + 1);
        const int lo = std::stoi(lo_text, &used_lo), hi = std::stoi(hi_text, &used_hi);
        if (used_lo != lo_text.size() || used_hi != hi_text.size() || lo < 1 || hi > 16 || lo > hi)
            throw InputError(bad);
        return {lo, hi};
    } catch (const std::logic_error&) { // stoi: not a number, out of int
        throw InputError(bad);
    }
}

void print_row(const nlohmann::json& r) {
    const auto ratio = [&](const char* key) {
        return r.contains(key) ? r[key].get<double>() : 1.0;
    };
    std::printf("%-22s %8.2f %12.1f %12.0f %9.3f %9.2f %9.2f %9.2f\n",
                r["name"].get<std::string>().c_str(), 100 * r["test_accuracy"].get<double>(),
                r["energy_nJ_per_image"].get<double>(), r["images_per_second_hw"].get<double>(),
                r["area_mm2"].get<double>(), ratio("energy_efficiency_ratio"),
                ratio("throughput_ratio"), ratio("area_efficiency_ratio"));
}

} // namespace

std::vector<cli::Option> accelerator_options(std::vector<cli::Option> network) {
    network.push_back(cli::valued(
        "--set", "KEY=VALUE",
        "accelerator.* fields (accelerator.hardware.adc_bits=6; the list: --set accelerator.x=0 "
        "names them) on top of the ISAAC-like baseline; other keys go to the preset's config "
        "before training; repeatable"));
    network.push_back(cli::valued("--adc-bits-sweep", "LO:HI",
                                  "also run the baseline at every ADC resolution LO .. HI bits "
                                  "(e.g. 3:10): accuracy where the column sums clip"));
    network.push_back(cli::flag("--baseline-only", "run only the baseline row (with the sweep)"));
    network.push_back(cli::flag(
        "--json", "print {network, reference, baseline, options, combined, adc_bits_sweep, "
                  "speed} as one JSON object"));
    return network;
}

int cmd_accelerator(const cli::Args& a, const TrainedNetwork& network) {
    AcceleratorConfig config;
    std::vector<std::string> experiment_sets;
    for (const std::string& s : a.all("--set"))
        if (s.rfind("accelerator.", 0) == 0)
            apply_accelerator_override(config, s);
        else
            experiment_sets.push_back(s);
    config.validate();
    std::optional<std::pair<int, int>> sweep;
    if (a.has("--adc-bits-sweep")) sweep = sweep_range(a.value("--adc-bits-sweep"));

    const std::unique_ptr<Experiment> e = network(a, experiment_sets);
    // The session's own test evaluation (FP32 forward for an fp32 preset): the speed reference.
    const auto t0 = std::chrono::steady_clock::now();
    const EvalResult reference = e->evaluate_test(1);
    const double reference_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    const bool human = !a.flag("--json");
    if (human)
        std::printf("%-22s %8s %12s %12s %9s %9s %9s %9s\n", "design", "acc %", "nJ/image",
                    "images/s hw", "area mm2", "energy x", "speed x", "area x");
    // The rows: the baseline, each option alone, all combined (accelerator_designs).
    AcceleratorOptions all = config.options;
    all.encoding = all.adc_optimisation = all.dynamic_quantization = true;
    std::vector<AcceleratorDesign> designs = accelerator_designs(config, all);
    if (a.flag("--baseline-only")) designs.resize(1);
    nlohmann::json out;
    AcceleratorResult first; // the baseline, for the rows printed as they finish
    const std::vector<AcceleratorResult> rows =
        run_accelerator_designs(*e, designs, [&](std::size_t i, const AcceleratorResult& r) {
            if (i == 0) first = r;
            if (human) print_row(to_json(r, i ? &first : nullptr));
            return true;
        });
    const AcceleratorResult& base = rows.front();
    out["baseline"] = to_json(base, nullptr);
    if (rows.size() > 1) {
        out["options"] = nlohmann::json::array();
        for (std::size_t i = 1; i + 1 < rows.size(); ++i)
            out["options"].push_back(to_json(rows[i], &base));
        out["combined"] = to_json(rows.back(), &base);
    }
    if (sweep) {
        out["adc_bits_sweep"] = nlohmann::json::array();
        if (human)
            std::printf("\n%8s %8s %12s %12s\n", "adc bits", "acc %", "nJ/image", "images/s hw");
        run_accelerator_designs(*e, adc_bits_sweep(config, sweep->first, sweep->second),
                                [&](std::size_t, const AcceleratorResult& r) {
                                    const int b = r.config.hardware.adc_bits;
                                    out["adc_bits_sweep"].push_back(
                                        {{"adc_bits", b},
                                         {"test_accuracy", r.test_accuracy},
                                         {"energy_nJ_per_image", r.energy_nJ_per_image()},
                                         {"images_per_second_hw", r.images_per_second_hw()}});
                                    if (human)
                                        std::printf("%8d %8.2f %12.1f %12.0f\n", b,
                                                    100 * r.test_accuracy, r.energy_nJ_per_image(),
                                                    r.images_per_second_hw());
                                    return true;
                                });
    }
    const Dataset& test = e->data().test;
    out["network"] = {{"preset", e->config().name},
                      {"dataset", e->data().name},
                      {"test_images", test.size()},
                      {"weight_layers", e->layer_count()},
                      {"trained_epochs", e->epochs_done()}};
    out["reference"] = {{"test_accuracy", reference.accuracy}, {"forward_seconds", reference_s}};
    // Simulator speed: the baseline's bit-serial run against the session's own forward pass,
    // measured in this process, per test image (accelerator.test_images may take fewer).
    const double slowdown =
        base.wall_seconds / base.images / std::max(reference_s / std::max(test.size(), 1), 1e-12);
    out["speed"] = {{"reference_forward_seconds", reference_s},
                    {"accelerator_seconds", base.wall_seconds},
                    {"slowdown", slowdown}};
    out["accelerator"] = to_json(config);
    if (human)
        std::printf("\nreference (the session's own forward) %.2f %% in %.3f s; accelerator "
                    "baseline %.3f s (%.1fx)\n",
                    100 * reference.accuracy, reference_s, base.wall_seconds, slowdown);
    else
        std::cout << out.dump() << "\n";
    return 0;
}

} // namespace cbl
