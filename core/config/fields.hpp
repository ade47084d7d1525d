#pragma once
// The schema table: each config struct lists its fields once, in JSON order, with range, unit,
// label, meaning, live flag and when it applies. A visitor `v(member, spec)` walks them: the JSON
// reader and writer, the validator and the schema collector (core/config/schema.cpp) are such
// visitors, so a field added here is parsed, checked, documented and shown in the GUI.
// Paths in `spec.path` are relative to the struct's group ("eps" in "scheme.").
// Defaults stay in the structs' initializers (with their paper citations).
#include "core/config/schema.hpp"
#include "core/crossbar/tile_config.hpp"
#include "core/experiment/config.hpp"
#include "core/gan/gan_config.hpp"
#include "core/rl/environment.hpp"
#include "core/training/scheme_config.hpp"

// Fields left out of a designated initializer take their defaults; that is the point here
// (included only by core/config/*.cpp).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace cbl::schema {

using S = FieldSpec;
inline const std::vector<std::string> crossbar = {"scheme.type!=fp"};
inline std::vector<std::string> crossbar_and(std::string c) {
    return {"scheme.type!=fp", std::move(c)};
}
constexpr double max_samples = 1 << 28;
// Granularities, ranges and scales below this make chi/eps, x/range or G/beta overflow: a
// millionth of a weight unit is far below any device step (seed 002: 0.096).
constexpr double tiny = 1e-6;
// A pulse of less than 1e-4 weight units moves G by under 1e-3 uS at seed 002's beta (far below
// any device's step), and dW/eps becomes millions of pulses per update.
constexpr double min_eps = 1e-4;

template <class V>
void describe_top(V& v, ExperimentConfig& c) {
    v(c.name, S{.path = "name", .label = "name", .meaning = "Name shown in lists", .panel = false});
    v(c.description, S{.path = "description",
                       .label = "description",
                       .meaning = "One line for `presets` and the GUI's preset picker",
                       .panel = false});
    v(c.reproduces, S{.path = "reproduces",
                      .label = "reproduces",
                      .meaning = "Which paper and figure the preset follows",
                      .panel = false});
    v(c.task, S{.path = "task",
                .choices = {"supervised", "rl", "gan"},
                .label = "task",
                .meaning = "supervised: the network learns the dataset's labels; rl: a DQN "
                           "(Mnih et al. 2013, the deep RL of seed 000) learns the control task "
                           "of the rl group, its Q-network's matrices from the scheme (network "
                           "and dataset are then not used); gan: a GAN (core/gan/gan.hpp) learns "
                           "to generate the dataset's images, generator and discriminator from "
                           "the gan group, their matrices from the scheme",
                .panel = false});
    v(c.technology,
      S{.path = "technology",
        .kind = FieldKind::name,
        .label = "technology",
        .meaning = "Energy and latency per operation: a preset name in resources/technology "
                   "(core/energy/technology.hpp); changing it only re-prices the energy report",
        .live = true,
        .panel = false});
}

// Deep Q-learning (core/rl/dqn.hpp): Mnih et al. 2013, the DRL reference of seed 000.
template <class V>
void describe(V& v, rl::DqnConfig& c) {
    const std::vector<std::string> rl = {"task=rl"};
    v(c.env, S{.path = "env",
               .choices = rl::environment_names(),
               .label = "environment",
               .meaning = "The control task: cartpole (Barto et al. 1983), mountaincar (Moore "
                          "1990) or acrobot (Sutton 1996), as Gym's classic-control set",
               .panel = false,
               .when = rl});
    v(c.episodes, S{.path = "episodes",
                    .lo = 1,
                    .hi = 1e7,
                    .unit = "episodes",
                    .label = "episode budget",
                    .meaning = "Episodes played at most",
                    .panel = false,
                    .when = rl});
    v(c.hidden, S{.path = "hidden",
                  .lo = 1,
                  .hi = 4096,
                  .unit = "neurons",
                  .label = "hidden layers",
                  .meaning = "ReLU neurons per hidden layer of the Q-network, 1 to 8 layers; "
                             "inputs (observation + bias) and outputs (one Q-value per action) "
                             "follow from the environment",
                  .panel = false,
                  .when = rl});
    v(c.gamma, S{.path = "gamma",
                 .lo = 0,
                 .hi = 1,
                 .label = "discount γ",
                 .meaning = "Discount per step of the TD target y = r + γ max Q_target(s', a')",
                 .panel = false,
                 .when = rl});
    v(c.replay_capacity, S{.path = "replay_capacity",
                           .lo = 1,
                           .hi = 1e7,
                           .unit = "transitions",
                           .label = "replay memory",
                           .meaning = "Transitions kept for experience replay (the oldest are "
                                      "overwritten)",
                           .panel = false,
                           .when = rl});
    v(c.batch_size, S{.path = "batch_size",
                      .lo = 1,
                      .hi = 4096,
                      .unit = "transitions",
                      .label = "replay batch",
                      .meaning = "Transitions drawn from the replay memory per learning step: "
                                 "one mini-batch, one weight update",
                      .panel = false,
                      .when = rl});
    v(c.warmup_steps, S{.path = "warmup_steps",
                        .lo = 0,
                        .hi = 1e8,
                        .unit = "steps",
                        .label = "warm-up",
                        .meaning = "Environment steps of random actions before learning starts",
                        .panel = false,
                        .when = rl});
    v(c.train_every, S{.path = "train_every",
                       .lo = 1,
                       .hi = 1e6,
                       .unit = "steps",
                       .label = "learn every",
                       .meaning = "Environment steps per learning step",
                       .panel = false,
                       .when = rl});
    v(c.target_update_steps,
      S{.path = "target_update_steps",
        .lo = 1,
        .hi = 1e8,
        .unit = "learning steps",
        .label = "target refresh",
        .meaning = "Learning steps between copies of the online Q-network into the target "
                   "network (Mnih et al. 2015's stabiliser)",
        .panel = false,
        .when = rl});
    v(c.epsilon_start, S{.path = "epsilon_start",
                         .lo = 0,
                         .hi = 1,
                         .label = "exploration ε start",
                         .meaning = "Probability of a random action when learning starts",
                         .panel = false,
                         .when = rl});
    v(c.epsilon_end, S{.path = "epsilon_end",
                       .lo = 0,
                       .hi = 1,
                       .label = "exploration ε end",
                       .meaning = "Probability of a random action after the decay",
                       .panel = false,
                       .when = rl});
    v(c.epsilon_decay_steps, S{.path = "epsilon_decay_steps",
                               .lo = 1,
                               .hi = 1e9,
                               .unit = "steps",
                               .label = "ε decay",
                               .meaning = "Environment steps over which ε falls linearly from "
                                          "start to end (Mnih et al. 2013, section 5)",
                               .panel = false,
                               .when = rl});
    v(c.huber_delta, S{.path = "huber_delta",
                       .lo = 0,
                       .hi = 1e6,
                       .lo_open = true,
                       .label = "Huber δ",
                       .meaning = "TD error where the loss turns from quadratic to linear (the "
                                  "error clipping of Mnih et al. 2015)",
                       .panel = false,
                       .when = rl});
    v(c.double_q, S{.path = "double_q",
                    .label = "double DQN",
                    .meaning = "The online network picks a', the target network values it (van "
                               "Hasselt et al. 2016): no upward bias from max of noisy values",
                    .panel = false,
                    .when = rl});
    v(c.stop_at_mean_reward,
      S{.path = "stop_at_mean_reward",
        .lo = -1e9,
        .hi = 1e9,
        .off = 0,
        .off_meaning = "play the whole budget",
        .label = "stop at mean reward",
        .meaning = "Stop once the mean reward of the last 100 episodes reaches this (CartPole "
                   "is solved at 195, Gym's CartPole-v0 threshold)",
        .panel = false,
        .when = rl});
}

// The GAN (core/gan/gan.hpp): Goodfellow et al. 2014, seed 002 Fig. 4G-I.
template <class V>
void describe(V& v, gan::GanConfig& c) {
    const std::vector<std::string> gan = {"task=gan"};
    v(c.noise_size, S{.path = "noise_size",
                      .lo = 1,
                      .hi = 4096,
                      .unit = "values",
                      .label = "noise size",
                      .meaning = "Generator inputs per image (random noise)",
                      .panel = false,
                      .when = gan});
    v(c.noise, S{.path = "noise",
                 .choices = {"uniform", "normal"},
                 .label = "noise",
                 .meaning = "Distribution of the generator's inputs: uniform on [-1, 1] or "
                            "standard normal",
                 .panel = false,
                 .when = gan});
    v(c.generator_hidden, S{.path = "generator_hidden",
                            .lo = 1,
                            .hi = 4096,
                            .unit = "neurons",
                            .label = "generator hidden layers",
                            .meaning = "ReLU neurons per hidden layer of the generator, 1 to 8 "
                                       "layers; its output is one sigmoid per pixel",
                            .panel = false,
                            .when = gan});
    v(c.discriminator_hidden,
      S{.path = "discriminator_hidden",
        .lo = 1,
        .hi = 4096,
        .unit = "neurons",
        .label = "discriminator hidden layers",
        .meaning = "ReLU neurons per hidden layer of the discriminator, 1 to 8 layers; its "
                   "output is one logit of \"real\"",
        .panel = false,
        .when = gan});
    v(c.batch_size, S{.path = "batch_size",
                      .lo = 1,
                      .hi = 4096,
                      .unit = "images",
                      .label = "GAN batch",
                      .meaning = "Real images per alternating step, and as many generated ones "
                                 "(seed 002 Fig. 4I: converges only with 100 and momentum)",
                      .panel = false,
                      .when = gan});
    v(c.fd_samples, S{.path = "fd_samples",
                      .lo = 2,
                      .hi = 1e6,
                      .unit = "images",
                      .label = "FD samples",
                      .meaning = "Generated images (the same noise every epoch) whose classifier "
                                 "features the Fréchet distance compares with the test set's",
                      .panel = false,
                      .when = gan});
}

template <class V>
void describe(V& v, NetworkConfig& c) {
    v(c.layers, S{.path = "layers",
                  .lo = 2,
                  .hi = 100000,
                  .unit = "neurons",
                  .label = "layers",
                  .meaning = "[785, 250, 10]: inputs incl. bias, hidden, outputs; every hidden "
                             "layer gets a bias input too (250x785 + 10x251 = 198,760 weights, "
                             "as seed 002 counts); at least 2 entries",
                  .panel = false});
    v(c.hidden_activation, S{.path = "hidden_activation",
                             .choices = {"sigmoid", "relu"},
                             .label = "hidden activation",
                             .meaning = "Activation of the hidden layers; the output is always "
                                        "softmax + cross-entropy",
                             .panel = false});
}

template <class V>
void describe(V& v, TrainingConfig& c) {
    v(c.epochs, S{.path = "epochs",
                  .lo = 0,
                  .hi = 100000,
                  .label = "epochs",
                  .meaning = "Passes over the training set",
                  .live = true});
    v(c.batch_size, S{.path = "batch_size",
                      .lo = 1,
                      .hi = 65536,
                      .unit = "images",
                      .label = "batch size",
                      .meaning = "Images per weight update (seed 002: 1)"});
    v(c.precision, S{.path = "precision",
                     .choices = {"fp32", "fp64"},
                     .label = "precision",
                     .meaning = "Arithmetic of the digital unit; crossbar schemes compute in fp32",
                     .panel = false});
    v(c.seed, S{.path = "seed",
                .lo = 0,
                .hi = 18446744073709551615.0,
                .label = "seed",
                .meaning = "The whole random state together with the step counter",
                .panel = false});
    v(c.seconds_per_image,
      S{.path = "seconds_per_image",
        .lo = 0,
        .hi = 1e6,
        .unit = "s",
        .label = "device time per image",
        .meaning = "Simulated wall time of the hardware per training image: sets how much the "
                   "devices drift between updates",
        .live = true});
    v(c.divergence_epochs,
      S{.path = "divergence_epochs",
        .lo = 1,
        .hi = 100000,
        .off = 0,
        .off_meaning = "never",
        .unit = "epochs",
        .label = "diverged after",
        .meaning = "A run whose mean training loss stays at or above chance, ln(classes), for "
                   "this many epochs in a row is reported as diverged and stops (the first "
                   "epoch, which starts from random weights, is not judged); a NaN or infinite "
                   "loss, weight, conductance or chi always stops it",
        .live = true});
}

template <class V>
void describe(V& v, OptimizerConfig& c) {
    v(c.type, S{.path = "type",
                .choices = {"sgd", "momentum", "adam"},
                .label = "optimizer",
                .meaning = "The digital unit's optimizer (seed 002: any optimizer works on top "
                           "of the crossbar)"});
    v(c.learning_rate, S{.path = "learning_rate",
                         .lo = 0,
                         .hi = 100,
                         .lo_open = true,
                         .label = "learning rate η",
                         .meaning = "Step size of the digital optimizer: dW = −η · gradient",
                         .live = true});
    v(c.momentum, S{.path = "momentum",
                    .lo = 0,
                    .hi = 0.999,
                    .label = "momentum",
                    .meaning = "Momentum coefficient of the optimizer",
                    .when = {"training.optimizer.type=momentum"}});
    v(c.beta1, S{.path = "beta1",
                 .lo = 0,
                 .hi = 0.9999,
                 .label = "Adam β1",
                 .meaning = "Decay of Adam's first-moment average (Kingma & Ba 2015: 0.9)",
                 .when = {"training.optimizer.type=adam"}});
    v(c.beta2, S{.path = "beta2",
                 .lo = 0,
                 .hi = 0.999999,
                 .label = "Adam β2",
                 .meaning = "Decay of Adam's second-moment average (Kingma & Ba 2015: 0.999)",
                 .when = {"training.optimizer.type=adam"}});
    v(c.adam_epsilon,
      S{.path = "adam_epsilon",
        .lo = 1e-12,
        .hi = 1,
        .label = "Adam ε",
        .meaning = "Added to Adam's sqrt(v) (Kingma & Ba 2015: 1e-8); at least 1e-12 so it "
                   "stays a normal FP32 number and the step never divides by zero",
        .when = {"training.optimizer.type=adam"}});
    v(c.schedule, S{.path = "schedule",
                    .choices = {"constant", "step", "exponential"},
                    .label = "η schedule",
                    .meaning = "How η changes over epochs: constant, step (× decay every "
                               "decay_epochs) or exponential (× decay per epoch)",
                    .live = true});
    v(c.decay, S{.path = "decay",
                 .lo = 0,
                 .hi = 1,
                 .lo_open = true,
                 .label = "learning-rate decay",
                 .meaning = "Factor on η per epoch (exponential) or every decay_epochs (step)",
                 .live = true,
                 .when = {"training.optimizer.schedule!=constant"}});
    v(c.decay_epochs, S{.path = "decay_epochs",
                        .lo = 1,
                        .hi = 100000,
                        .unit = "epochs",
                        .label = "decay every",
                        .meaning = "Epochs between step decays of η",
                        .live = true,
                        .when = {"training.optimizer.schedule=step"}});
    v(c.clip_norm,
      S{.path = "clip_norm",
        .lo = tiny,
        .hi = 1e6,
        .off = 0,
        .off_meaning = "no clipping",
        .unit = "loss per weight unit",
        .label = "gradient clip",
        .meaning = "A weight matrix's mean mini-batch gradient whose L2 norm exceeds this is "
                   "rescaled to it before the optimizer (Pascanu et al. 2013: keeps exploding "
                   "gradients of back-propagation through time from wrecking a step)"});
}

template <class V>
void describe(V& v, DatasetSpec& c) {
    v(c.source, S{.path = "source",
                  .label = "dataset",
                  .meaning = "fashion-mnist, synthetic, a folder of IDX files "
                             "(datasets/README.md), text:FILE (plain text for character "
                             "models, split 90/5/5 %) or fortunes (Debian's fortunes as text)",
                  .panel = false});
    v(c.holdout, S{.path = "holdout",
                   .lo = 1,
                   .hi = max_samples,
                   .unit = "samples",
                   .label = "holdout",
                   .meaning = "Test samples split off when a folder holds one images/labels pair",
                   .panel = false});
    v(c.train_limit, S{.path = "train_limit",
                       .lo = 0,
                       .hi = max_samples,
                       .unit = "samples",
                       .label = "training samples",
                       .meaning = "Use only the first N training samples (0 = all)",
                       .panel = false});
    v(c.test_limit, S{.path = "test_limit",
                      .lo = 0,
                      .hi = max_samples,
                      .unit = "samples",
                      .label = "test samples",
                      .meaning = "Use only the first N test samples (0 = all)",
                      .panel = false});
    v(c.sequence_length, S{.path = "sequence_length",
                           .lo = 1,
                           .hi = 10000,
                           .unit = "characters",
                           .label = "sequence length",
                           .meaning = "Text sources: characters per sample, the truncated "
                                      "back-propagation-through-time window of an lstm",
                           .panel = false});
}

template <class V>
void describe(V& v, SchemeConfig& c) {
    v(c.type, S{.path = "type",
                .choices = {"fp", "direct", "mca", "time"},
                .label = "scheme",
                .meaning = "How updates reach the weights: fp (software), direct (seed 002 "
                           "sec. 2.3), mca (seed 002 Fig. 1B), time (seed 000)",
                .panel = false});
    v(c.eps, S{.path = "eps",
               .lo = min_eps,
               .hi = 100,
               .unit = "weight units",
               .label = "ε (device granularity)",
               .meaning = "Weight change of one programming pulse: χ accumulates dW and p = "
                          "trunc(χ/ε) pulses fire (seed 002: 0.096 = mean SET step of 0.77 µS); "
                          "one update sends at most 255 pulses to a synapse (mca keeps the rest "
                          "in χ, direct and time lose it)",
               .live = true,
               .when = crossbar});
    v(c.eps_up, S{.path = "eps_up",
                  .lo = min_eps,
                  .hi = 100,
                  .off = 0,
                  .off_meaning = "ε",
                  .unit = "weight units",
                  .label = "ε up",
                  .meaning = "Single-device mapping: weight change of a SET",
                  .live = true,
                  .when = crossbar_and("tile.mapping=single")});
    v(c.eps_down, S{.path = "eps_down",
                    .lo = min_eps,
                    .hi = 100,
                    .off = 0,
                    .off_meaning = "ε",
                    .unit = "weight units",
                    .label = "ε down",
                    .meaning = "Single-device mapping: weight change of a RESET step",
                    .live = true,
                    .when = crossbar_and("tile.mapping=single")});
    v(c.refresh_interval,
      S{.path = "refresh_interval",
        .lo = 1,
        .hi = 1e9,
        .off = 0,
        .off_meaning = "never",
        .unit = "images",
        .label = "refresh every",
        .meaning = "Training images between checks for saturated device pairs, which are then "
                   "RESET and re-programmed to the same weight (seed 002: 100)",
        .live = true,
        .when = crossbar_and("tile.mapping=differential")});
    v(c.quantize_bits,
      S{.path = "quantize_bits",
        .lo = 2,
        .hi = 16,
        .off = 0,
        .off_meaning = "full precision",
        .unit = "bits",
        .label = "update-path bits",
        .meaning = "Activations and errors quantised to signed n-bit numbers before the outer "
                   "product (seed 002 section 3: 3 bits)",
        .live = true,
        .when = crossbar});
    v(c.quantize_rounding, S{.path = "quantize_rounding",
                             .choices = {"stochastic", "nearest"},
                             .label = "update-path rounding",
                             .meaning = "How activations and errors become n-bit numbers: "
                                        "stochastic (unbiased, seed 002 section 3) or nearest",
                             .live = true,
                             .when = crossbar_and("scheme.quantize_bits!=0")});
    v(c.quantize_scale,
      S{.path = "quantize_scale",
        .choices = {"fixed", "vector"},
        .label = "update-path scale",
        .meaning = "fixed: one full scale per vector kind (a fixed-point format: sparse updates "
                   "late in training); vector: each vector's own maximum",
        .live = true,
        .when = crossbar_and("scheme.quantize_bits!=0")});
    v(c.direct_rounding,
      S{.path = "direct_rounding",
        .choices = {"stochastic", "nearest", "truncate"},
        .label = "direct rounding",
        .meaning = "direct scheme: dW/ε to pulses by stochastic rounding (right on average), "
                   "nearest, or truncate (the MCA rule without χ: sub-granule updates never "
                   "reach the device)",
        .live = true,
        .when = {"scheme.type=direct"}});
    const std::vector<std::string> fixed = {"scheme.type!=fp", "scheme.quantize_bits!=0",
                                            "scheme.quantize_scale=fixed"};
    v(c.quantize_x_range, S{.path = "quantize_x_range",
                            .lo = tiny,
                            .hi = 1e6,
                            .label = "activation full scale",
                            .meaning = "Fixed update-path scale: activations are quantised on "
                                       "[-range, range] (sigmoid outputs: 1)",
                            .live = true,
                            .when = fixed});
    v(c.quantize_delta_range,
      S{.path = "quantize_delta_range",
        .lo = tiny,
        .hi = 1e6,
        .label = "error full scale",
        .meaning = "Fixed update-path scale: each weight layer's errors are quantised on "
                   "[-range, range]; one value per layer, input side first, or one for all (a "
                   "softmax error lies in [-1, 1], a sigmoid layer's is scaled by f' <= 1/4)",
        .live = true,
        .when = fixed});
    v(c.write_scheme, S{.path = "write_scheme",
                        .choices = {"verify", "gradual", "tolerant"},
                        .label = "write scheme",
                        .meaning = "TIME's write circuits (seed 000): program-and-verify, "
                                   "gradual pulses, or the variability-tolerant write (one "
                                   "read, one train sized from the device's own step there)",
                        .live = true,
                        .when = {"scheme.type=time"}});
    v(c.write_tolerance, S{.path = "write_tolerance",
                           .lo = 0,
                           .hi = 100,
                           .lo_open = true,
                           .unit = "eps",
                           .label = "write tolerance",
                           .meaning = "Program-and-verify target band in units of ε",
                           .live = true,
                           .when = {"scheme.type=time", "scheme.write_scheme=verify"}});
    v(c.write_max_iterations, S{.path = "write_max_iterations",
                                .lo = 1,
                                .hi = 1000,
                                .label = "write iterations",
                                .meaning = "Program-and-verify rounds per weight",
                                .live = true,
                                .when = {"scheme.type=time", "scheme.write_scheme=verify"}});
    v(c.update_location,
      S{.path = "update_location",
        .choices = {"digital", "array"},
        .label = "update computed in",
        .meaning = "Where TIME's update -eta delta x^T is formed: digital (multiply-adds and "
                   "gradient memory, then the write scheme) or array (coincident stochastic "
                   "pulse trains on rows and columns, Gokmen & Vlasov 2016; batch 1, plain SGD)",
        .when = {"scheme.type=time"}});
    v(c.update_train_length,
      S{.path = "update_train_length",
        .lo = 1,
        .hi = 64,
        .unit = "pulse slots",
        .label = "update train length",
        .meaning = "In-array update: slots of each row's and column's stochastic pulse train per "
                   "sample (BL); a cell gets one pulse per slot where both lines pulse",
        .live = true,
        .when = {"scheme.type=time", "scheme.update_location=array"}});
}

template <class V>
void describe(V& v, TileConfig& c) {
    v(c.mapping, S{.path = "mapping",
                   .choices = {"differential", "single"},
                   .label = "weight mapping",
                   .meaning = "differential: W = β(G+ − G−), two devices per synapse; single: "
                              "W = β(G − G_ref) (seed 002 sections 2.3 and A.2.4)",
                   .when = crossbar});
    v(c.beta_per_uS, S{.path = "beta_per_uS",
                       .lo = tiny,
                       .hi = 1e3,
                       .unit = "per uS",
                       .label = "β (weight per µS)",
                       .meaning = "Weight units per µS of conductance difference (seed 002: ε = "
                                  "0.096 for a mean SET step of 0.77 µS)",
                       .when = crossbar});
    v(c.beta_fan_in,
      S{.path = "beta_fan_in",
        .lo = 1,
        .hi = 1 << 24,
        .off = 0,
        .off_meaning = "every layer uses β",
        .unit = "inputs",
        .label = "β reference fan-in",
        .meaning = "Per-layer weight scale: a layer of n inputs (bias included) maps W = "
                   "β·√(N/n)·(G+ − G−) and its ε scales alike, so one pulse is the same 0.77 µS "
                   "in every layer while each layer's weights start at the 1/√fan-in scale deep "
                   "networks need (seed 002 section 2.1: an optional scaling factor per layer)",
        .when = crossbar});
    v(c.g_ref_uS, S{.path = "g_ref_uS",
                    .lo = 0,
                    .hi = 1000,
                    .unit = "uS",
                    .label = "reference G",
                    .meaning = "Single-device mapping: W = β(G − G_ref); inside the device window",
                    .when = crossbar_and("tile.mapping=single")});
    v(c.init_mean_uS, S{.path = "init_mean_uS",
                        .lo = 0,
                        .hi = 1000,
                        .unit = "uS",
                        .label = "initial G mean",
                        .meaning = "Devices start at G ~ N(mean, std), clipped to the device "
                                   "window (seed 002: 1.6 µS)",
                        .when = crossbar});
    v(c.init_std_uS, S{.path = "init_std_uS",
                       .lo = 0,
                       .hi = 1000,
                       .unit = "uS",
                       .label = "initial G std",
                       .meaning = "Spread of the initial conductances (seed 002: 0.83 µS)",
                       .when = crossbar});
    v(c.read_noise, S{.path = "read_noise",
                      .label = "read noise",
                      .meaning = "Every crossbar read carries the device's read noise (1/f noise)",
                      .live = true,
                      .when = crossbar});
    v(c.read_noise_scale, S{.path = "read_noise_scale",
                            .lo = 0,
                            .hi = 100,
                            .unit = "x",
                            .label = "read-noise scale",
                            .meaning = "Multiplies the device's read-noise σ (0 = silent reads)",
                            .live = true,
                            .when = crossbar});
    v(c.drift, S{.path = "drift",
                 .label = "drift",
                 .meaning = "PCM conductances decay between pulses, G(t) = G(t_p)((t−t_p)/T0)^−ν "
                            "(seed 002 Fig. 2C); other devices do not drift",
                 .live = true,
                 .when = crossbar});
    v(c.drift_tolerance,
      S{.path = "drift_tolerance",
        .lo = 0,
        .hi = 0.1,
        .lo_open = true,
        .label = "drift cache tolerance",
        .meaning = "Largest relative change of a drift factor before cached drifted weights are "
                   "recomputed (a simulator accuracy knob, far below PCM's 5-10 % read noise)",
        .when = crossbar});
    v(c.refresh_threshold_uS,
      S{.path = "refresh_threshold_uS",
        .lo = 0,
        .hi = 1000,
        .unit = "uS",
        .label = "refresh threshold",
        .meaning = "A pair with a device above this conductance is refreshed (PCM is "
                   "unidirectional: a saturated device cannot move further)",
        .live = true,
        .when = crossbar_and("tile.mapping=differential")});
    v(c.refresh_tolerance_uS,
      S{.path = "refresh_tolerance_uS",
        .lo = 0,
        .hi = 1000,
        .lo_open = true,
        .unit = "uS",
        .label = "refresh tolerance",
        .meaning = "The re-programmed difference must land within this of the old one (one "
                   "pulse: seed 002's 0.77 µS mean SET step)",
        .when = crossbar_and("tile.mapping=differential")});
    v(c.refresh_max_pulses, S{.path = "refresh_max_pulses",
                              .lo = 1,
                              .hi = 100000,
                              .unit = "pulses",
                              .label = "refresh max pulses",
                              .meaning = "Programming pulses allowed per refreshed pair",
                              .when = crossbar_and("tile.mapping=differential")});
    v(c.pairs_per_weight,
      S{.path = "pairs_per_weight",
        .lo = 1,
        .hi = 8,
        .unit = "pairs",
        .label = "pairs per weight",
        .meaning = "Multi-memristive synapse (Boybat et al. 2018, cited by seed 002): N device "
                   "pairs share a weight, W = (β/N) Σ(G+ − G−), an arbiter deals the pulses out "
                   "round-robin and a read drives all N pairs at once (their currents add), so "
                   "set ε to about ε/N, or β to N β for N times the range at the same step; "
                   "more than 1 needs the differential mapping",
        .when = crossbar_and("tile.mapping=differential")});
    v(c.array_rows,
      S{.path = "array_rows",
        .lo = 1,
        .hi = 1 << 16,
        .off = 0,
        .off_meaning = "as many as the matrix",
        .unit = "devices",
        .label = "array rows",
        .meaning = "Rows (outputs) of one physical crossbar array: a matrix with more is split "
                   "over ceil(rows/array_rows) row blocks; each array converts its own outputs "
                   "and the digital unit adds the partial sums of the backward pass",
        .when = crossbar});
    v(c.array_cols,
      S{.path = "array_cols",
        .lo = 1,
        .hi = 1 << 16,
        .off = 0,
        .off_meaning = "as many as the matrix",
        .unit = "devices",
        .label = "array columns",
        .meaning = "Columns (inputs) of one physical crossbar array: a matrix with more is split "
                   "over ceil(cols/array_cols) column blocks; each array has its own DACs and "
                   "ADCs and the digital unit adds the forward partial sums",
        .when = crossbar});
}

template <class V>
void describe(V& v, PeripheralConfig& c) {
    v(c.dac_bits, S{.path = "dac_bits",
                    .lo = 2,
                    .hi = 16,
                    .off = 0,
                    .off_meaning = "ideal",
                    .unit = "bits",
                    .label = "DAC bits",
                    .meaning = "Input (row driver) resolution, signed, scale = max |x| per vector",
                    .when = crossbar});
    v(c.adc_bits, S{.path = "adc_bits",
                    .lo = 1,
                    .hi = 16,
                    .off = 0,
                    .off_meaning = "ideal",
                    .unit = "bits",
                    .label = "ADC bits",
                    .meaning = "Column read-out resolution",
                    .when = crossbar});
    v(c.adc_range, S{.path = "adc_range",
                     .lo = tiny,
                     .hi = 1e6,
                     .label = "ADC range",
                     .meaning = "Full scale ± of the ADC in output (weight × input) units",
                     .when = crossbar});
}

// Device models: the window and read noise are common, the rest per family.
template <class V, class P>
void describe_window(V& v, P& p) {
    v(p.g_min_uS, S{.path = "g_min_uS",
                    .lo = 0,
                    .hi = 1000,
                    .unit = "uS",
                    .label = "G min",
                    .meaning = "Lowest conductance (RESET floor), below G max",
                    .when = crossbar});
    v(p.g_max_uS, S{.path = "g_max_uS",
                    .lo = 0,
                    .hi = 1000,
                    .unit = "uS",
                    .label = "G max",
                    .meaning = "Highest conductance the device can reach",
                    .when = crossbar});
}

/// A real device parameter on the crossbar; `live` ones apply while training runs
/// (CrossbarTile::configure).
template <class V>
void device_real(V& v, double& m, const char* key, double lo, double hi, const char* unit,
                 const char* label, const char* meaning, bool live) {
    v(m, S{.path = key,
           .lo = lo,
           .hi = hi,
           .unit = unit,
           .label = label,
           .meaning = meaning,
           .live = live,
           .when = crossbar});
}

template <class V, class P>
void describe_read_noise(V& v, P& p) {
    v(p.read_g, S{.path = "read_g",
                  .lo = 0,
                  .hi = 10,
                  .label = "read noise: relative",
                  .meaning = "Read-noise σ = read_g·G + read_0 (1/f noise of the device)",
                  .live = true,
                  .when = crossbar});
    v(p.read_0_uS, S{.path = "read_0_uS",
                     .lo = 0,
                     .hi = 100,
                     .unit = "uS",
                     .label = "read noise: floor",
                     .meaning = "Constant part of the read-noise σ",
                     .live = true,
                     .when = crossbar});
}

template <class V>
void describe(V& v, PcmParams& p) {
    // Nandakumar et al. 2018 as used by seed 002 (section 2.2, Fig. 2); values: reference
    // README section 2.
    describe_window(v, p);
    const auto real = [&](double& m, const char* key, double lo, double hi, const char* unit,
                          const char* label, const char* meaning) {
        device_real(v, m, key, lo, hi, unit, label, meaning, false);
    };
    // Read at every pulse from the config, so they apply as soon as they are set.
    const auto hot = [&](double& m, const char* key, double lo, double hi, const char* unit,
                         const char* label, const char* meaning) {
        device_real(v, m, key, lo, hi, unit, label, meaning, true);
    };
    hot(p.mu_g, "mu_g", -10, 10, "per uS", "SET mean: slope",
        "Mean SET step falls with G: μ = μ_g·G + μ_0 + μ_p·p_n (saturation)");
    hot(p.mu_0_uS, "mu_0_uS", -100, 100, "uS", "SET mean: offset",
        "Constant part of the mean SET step μ");
    hot(p.mu_p_uS, "mu_p_uS", -100, 100, "uS", "SET mean: history",
        "Extra step of the first pulses after a RESET (× p_n)");
    hot(p.sigma_g, "sigma_g", -10, 10, "per uS", "SET std: slope",
        "Pulse-to-pulse spread grows with G: σ = σ_g·G + σ_0 + σ_p·p_n");
    hot(p.sigma_0_uS, "sigma_0_uS", -100, 100, "uS", "SET std: offset",
        "Constant part of the SET step spread σ");
    hot(p.sigma_p_uS, "sigma_p_uS", -100, 100, "uS", "SET std: history",
        "Extra spread of the first pulses after RESET");
    hot(p.n_history, "n_history", 1e-3, 1000, "pulses", "history length",
        "p_n = exp(−n / n_history): how fast the first-pulse boost fades");
    hot(p.reset_mean_uS, "reset_mean_uS", 0, 1000, "uS", "RESET mean G",
        "Conductance after a RESET pulse");
    hot(p.reset_std_uS, "reset_std_uS", 0, 100, "uS", "RESET std",
        "Spread of the conductance after RESET");
    real(p.t0_s, "t0_s", 1e-9, 1e6, "s", "drift T0",
         "Reference time of drift: G is read T0 after a pulse (seed 002: 38.6 s); at least 1 ns, "
         "the shortest pulse, so (t/T0)^−ν stays finite");
    real(p.nu_mean, "nu_mean", 0, 1, "", "drift exponent ν",
         "Power-law drift G ∝ t^−ν: larger ν = faster decay (PCM: 0.04-0.05)");
    real(p.nu_std, "nu_std", 0, 1, "", "ν spread",
         "Device-to-device std of the drift exponent (ν clipped at >= 0)");
    describe_read_noise(v, p);
    hot(p.mu_d2d, "mu_d2d", 0, 1, "", "device-to-device spread",
        "Relative std of each device's mean SET step");
    hot(p.sigma_d2d, "sigma_d2d", 0, 1, "", "device-to-device noise spread",
        "Relative std of each device's SET step spread σ (0: every device equally noisy)");
}

template <class V>
void describe(V& v, RramParams& p) {
    // NeuroSim-style RRAM (reference README section 3).
    describe_window(v, p);
    const auto real = [&](double& m, const char* key, double lo, double hi, const char* unit,
                          const char* label, const char* meaning) {
        device_real(v, m, key, lo, hi, unit, label, meaning, false);
    };
    // Read at every pulse from the config, so they apply as soon as they are set.
    const auto hot = [&](double& m, const char* key, double lo, double hi, const char* unit,
                         const char* label, const char* meaning) {
        device_real(v, m, key, lo, hi, unit, label, meaning, true);
    };
    v(p.levels, S{.path = "levels",
                  .lo = 1,
                  .hi = 100000,
                  .unit = "pulses",
                  .label = "levels",
                  .meaning = "Pulses from G min to G max (Pmax)",
                  .when = crossbar});
    real(p.a_ltp_pulses, "a_ltp_pulses", 1e-3, 1e6, "pulses", "LTP nonlinearity A",
         "G(P) = B(1 − exp(−P/A)) + Gmin for potentiation: smaller A = more nonlinear");
    real(p.a_ltd_pulses, "a_ltd_pulses", 1e-3, 1e6, "pulses", "LTD nonlinearity A",
         "Nonlinearity of depression");
    hot(p.c2c, "c2c", 0, 1, "", "cycle-to-cycle σ", "Per-pulse spread, fraction of (Gmax − Gmin)");
    real(p.a_d2d, "a_d2d", 0, 0.5, "", "A spread", "Device-to-device relative spread of A");
    real(p.g_max_d2d, "g_max_d2d", 0, 0.5, "", "Gmax spread",
         "Device-to-device relative spread of Gmax");
    describe_read_noise(v, p);
    real(p.v_read_V, "v_read_V", 1e-3, 10, "V", "read voltage",
         "Voltage on a row during a read (energy model)");
    real(p.t_read_ns, "t_read_ns", 1e-3, 1e6, "ns", "read time", "Duration of a read");
    real(p.v_write_V, "v_write_V", 1e-3, 10, "V", "write voltage",
         "Amplitude of a programming pulse");
    real(p.t_write_ns, "t_write_ns", 1e-3, 1e6, "ns", "write pulse",
         "Duration of a programming pulse");
}

template <class V>
void describe(V& v, IdealParams& p) {
    describe_window(v, p);
    v(p.dg_uS, S{.path = "dg_uS",
                 .lo = tiny,
                 .hi = 1000,
                 .unit = "uS",
                 .label = "step per pulse",
                 .meaning = "Conductance step of every pulse, up or down (seed 002's mean SET "
                            "step: 0.77 µS)",
                 .when = crossbar});
    describe_read_noise(v, p);
}

template <class V>
void describe(V& v, SoftBoundsParams& p) {
    describe_window(v, p);
    v(p.alpha, S{.path = "alpha",
                 .lo = 0,
                 .hi = 1,
                 .lo_open = true,
                 .label = "step fraction α",
                 .meaning = "Fraction of the remaining range per pulse: dG = α(Gmax − G) up, "
                            "−α(G − Gmin) down (aihwkit's SoftBounds)",
                 .when = crossbar});
    v(p.c2c, S{.path = "c2c",
               .lo = 0,
               .hi = 10,
               .label = "cycle-to-cycle σ",
               .meaning = "Cycle-to-cycle spread relative to the step",
               .when = crossbar});
    describe_read_noise(v, p);
}

} // namespace cbl::schema

namespace cbl::schema {

/// The JSON form of a member (enums by name).
template <class T>
nlohmann::json to_value(const T& m) {
    if constexpr (std::is_same_v<T, WeightMapping>)
        return to_string(m);
    else
        return m;
}

/// Reads a member from a value that FieldSpec::refusal() accepted (integers checked before
/// narrowing).
template <class T>
void from_value(const nlohmann::json& j, T& m) {
    if constexpr (std::is_same_v<T, WeightMapping>)
        m = weight_mapping_from_string(j.get<std::string>());
    else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
        m = j.is_number_unsigned() ? static_cast<T>(j.get<std::uint64_t>())
                                   : static_cast<T>(j.get<std::int64_t>());
    else
        m = j.get<T>();
}

/// The spec with its full path and the kind that follows from the member's type.
template <class T>
FieldSpec typed(FieldSpec s, const std::string& prefix) {
    s.path = prefix + s.path;
    if constexpr (std::is_same_v<T, bool>)
        s.kind = FieldKind::boolean;
    else if constexpr (std::is_integral_v<T>)
        s.kind = FieldKind::integer;
    else if constexpr (std::is_floating_point_v<T>)
        s.kind = FieldKind::real;
    else if constexpr (std::is_same_v<T, std::vector<double>>)
        s.kind = FieldKind::reals;
    else if constexpr (std::is_same_v<T, std::vector<int>>)
        s.kind = FieldKind::integers;
    else if (!s.choices.empty())
        s.kind = FieldKind::choice;
    else if (s.kind != FieldKind::name)
        s.kind = FieldKind::text;
    return s;
}

} // namespace cbl::schema
