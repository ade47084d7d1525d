#pragma once
// How weight updates reach the devices (config object "scheme").
//  - "fp":     full-precision weights (software baseline).
//  - "direct": each image's dW becomes pulses at once, round(dW / eps); the residue is lost
//              (seed 002 section 2.3: about 83 % on MNIST).
//  - "mca":    seed 002's mixed-precision architecture: dW accumulates in chi, p = trunc(chi/eps)
//              blind pulses, chi -= p eps (Fig. 1B).
//  - "time":   seed 000's training-in-memory on RRAM: the update is written into the array by
//              the tuning circuits with a selectable write scheme.
// Ranges, units and meanings of the fields: the parameter schema, core/config/fields.hpp.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace cbl {

struct SchemeConfig {
    std::string type = "fp";
    double eps = 0.096;         ///< device granularity in weight units (seed 002: 0.096 = 0.77 uS)
    double eps_up = 0;          ///< single mapping: potentiation granularity (0 = eps)
    double eps_down = 0;        ///< single mapping: depression (RESET) granularity (0 = eps)
    int refresh_interval = 100; ///< images between weight refreshes (seed 002: 100); 0 = never
    int quantize_bits = 0; ///< update path: signed n-bit x and delta (seed 002 sec. 3: 3); 0 = full
    std::string quantize_rounding = "stochastic"; ///< "stochastic" (unbiased) or "nearest"
    /// direct: pulses from this image's dW/eps by "stochastic" rounding (unbiased), "nearest"
    /// or "truncate" (toward zero, the MCA rule without chi)
    std::string direct_rounding = "stochastic";
    /// Shared scale of the n-bit numbers: "fixed" full-scale ranges (a fixed-point format, so
    /// small errors late in training round to zero and the update matrix gets sparse) or "vector"
    /// (each vector's largest magnitude).
    std::string quantize_scale = "fixed";
    double quantize_x_range = 1.0; ///< fixed: full scale of activations (sigmoid: 1)
    /// fixed: full scale of each weight layer's errors (one value = all layers). The softmax
    /// error lies in [-1, 1]; a sigmoid layer's error is scaled by f' <= 1/4.
    std::vector<double> quantize_delta_range{0.25, 1.0};
    std::string write_scheme = "tolerant"; ///< time: "verify", "gradual", "tolerant"
    double write_tolerance = 0.5;          ///< time: verify target band, in units of eps
    int write_max_iterations = 8;          ///< time: program-and-verify rounds per weight
    /// time: where dW = -eta delta x^T is formed. "digital": the digital unit multiplies and
    /// the write scheme tunes it in; "array": coincident pulse trains on the array's rows and
    /// columns (Gokmen & Vlasov 2016), per sample, no digital product (README, TIME).
    std::string update_location = "digital";
    int update_train_length = 10; ///< time, array update: pulse slots per sample (BL)

    void validate() const;
};

void to_json(nlohmann::json& j, const SchemeConfig& c);
void from_json(const nlohmann::json& j, SchemeConfig& c);

} // namespace cbl
