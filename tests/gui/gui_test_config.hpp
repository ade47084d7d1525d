#pragma once
// A small mixed-precision PCM experiment for GUI tests: seed 002's scheme on synthetic data so a
// test trains an epoch in about a second without dataset files.
#include "core/experiment/config.hpp"

#include <Eigen/Core>

#include <QAbstractButton>
#include <QCoreApplication>
#include <QMessageBox>
#include <QStandardPaths>
#include <QTimer>

#include <random>

inline cbl::ExperimentConfig gui_test_config(int train = 600, int epochs = 3) {
    nlohmann::json j = {
        {"name", "gui-test"},
        {"description", "small MCA run for tests"},
        {"network", {{"layers", {785, 64, 10}}, {"hidden_activation", "sigmoid"}}},
        {"training",
         {{"epochs", epochs},
          {"batch_size", 1},
          {"seed", 1},
          {"seconds_per_image", 0.05},
          {"optimizer", {{"type", "sgd"}, {"learning_rate", 0.08}}}}},
        {"dataset", {{"source", "synthetic"}, {"train_limit", train}, {"test_limit", 200}}},
        {"scheme", {{"type", "mca"}, {"eps", 0.096}, {"refresh_interval", 100}}},
        {"device", {{"family", "pcm"}}},
        {"tile", {{"mapping", "differential"}, {"init_mean_uS", 1.6}, {"init_std_uS", 0.83}}}};
    cbl::ExperimentConfig c = j.get<cbl::ExperimentConfig>();
    c.validate();
    return c;
}

/// Keeps tests away from the user's settings, autosave and recent files.
inline void isolate_gui_test() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("CrossbarLabTest");
    QCoreApplication::setApplicationName("crossbarlab-gui-test");
}

/// A 250 x 785 layer of conductances ~ N(1.6, 0.83) uS (seed 002's initial state), fixed seed.
inline Eigen::MatrixXf random_layer_uS() {
    std::mt19937 rng(1);
    std::normal_distribution<float> g(1.6f, 0.83f);
    Eigen::MatrixXf m(250, 785);
    for (Eigen::Index i = 0; i < m.size(); ++i)
        m.data()[i] = g(rng);
    return m;
}

/// Clicks `button` of the message box titled `title` as soon as `parent` shows one (its text
/// lands in `text` if given): answers the window's modal questions in a test.
inline void answer_message_box(QWidget* parent, const QString& title, const QString& button,
                               QString* text = nullptr) {
    auto* poll = new QTimer(parent);
    QObject::connect(poll, &QTimer::timeout, poll, [parent, poll, title, button, text] {
        for (QMessageBox* box : parent->findChildren<QMessageBox*>())
            if (box->isVisible() && box->windowTitle() == title)
                for (QAbstractButton* b : box->buttons())
                    if (b->text() == button) {
                        if (text) *text = box->text();
                        poll->deleteLater();
                        b->click();
                        return;
                    }
    });
    poll->start(50);
}
