#include "core/accelerator/accelerator_designs.hpp"

#include "core/common/param_error.hpp"
#include "core/experiment/experiment.hpp"

namespace cbl {

std::vector<AcceleratorDesign> accelerator_designs(const AcceleratorConfig& config,
                                                   const AcceleratorOptions& chosen) {
    const std::pair<const char*, bool> options[] = {
        {"encoding", chosen.encoding},
        {"adc_optimisation", chosen.adc_optimisation},
        {"dynamic_quantization", chosen.dynamic_quantization}};
    AcceleratorConfig base = config;
    base.options.dynamic_bits = chosen.dynamic_bits;
    std::vector<AcceleratorDesign> designs = {{"baseline", with_option(base, "baseline")}};
    std::string together;
    for (const auto& [name, on] : options)
        if (on) {
            designs.push_back({name, with_option(base, name)});
            together += (together.empty() ? "" : "+") + std::string(name);
        }
    if (designs.size() > 2) {
        AcceleratorConfig all = with_option(base, "baseline");
        all.options.encoding = chosen.encoding;
        all.options.adc_optimisation = chosen.adc_optimisation;
        all.options.dynamic_quantization = chosen.dynamic_quantization;
        designs.push_back({designs.size() == 4 ? "combined" : together, all});
    }
    return designs;
}

std::vector<AcceleratorDesign> adc_bits_sweep(const AcceleratorConfig& config, int lo, int hi) {
    require_range("ADC sweep lowest resolution", lo, 1, 16, "bits");
    require_range("ADC sweep highest resolution", hi, lo, 16, "bits");
    std::vector<AcceleratorDesign> designs;
    for (int b = lo; b <= hi; ++b) {
        AcceleratorConfig c = with_option(config, "baseline");
        c.hardware.adc_bits = b;
        designs.push_back({"adc_bits=" + std::to_string(b), c});
    }
    return designs;
}

void require_accelerator_network(const ExperimentConfig& c) {
    if (c.task != "supervised")
        throw InputError("accelerator runs a supervised network; " + c.name +
                         " has task = " + c.task);
}

std::vector<AcceleratorResult>
run_accelerator_designs(const Experiment& e, const std::vector<AcceleratorDesign>& designs,
                        const AcceleratorProgress& after_each, AcceleratorRunControl* control) {
    require_accelerator_network(e.config());
    std::vector<AcceleratorResult> results;
    for (std::size_t i = 0; i < designs.size(); ++i) {
        try {
            results.push_back(run_accelerator(e, designs[i].config, designs[i].name, control));
        } catch (const AcceleratorCancelled&) {
            break;
        }
        if (after_each && !after_each(i, results.back())) break;
    }
    return results;
}

} // namespace cbl
