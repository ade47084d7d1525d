#pragma once
// Turns parameter edits into engine commands. Live fields (the schema's live flag) go to the
// engine at once, which answers with a verdict; structural ones are checked against the whole
// config as the core reads it and collect as pending edits, applied by a reset.
#include "core/experiment/config.hpp"

#include <QObject>
#include <QStringList>

namespace cbl {
class Engine;
}

namespace cbl::ui {

class ParameterController : public QObject {
    Q_OBJECT
  public:
    using QObject::QObject;
    void setEngine(Engine* engine) { engine_ = engine; }
    /// The config the engine runs. Returns true when the set of shown fields may change (first
    /// config, another device model or scheme); pending edits are then dropped.
    bool setConfig(const ExperimentConfig& running);
    const ExperimentConfig& config() const { return config_; }
    /// The running config's JSON with the pending structural edits.
    const nlohmann::json& pending() const { return pending_; }
    const QStringList& pendingPaths() const { return pendingPaths_; }

    /// An edit of the field at `path`; the outcome arrives as verdict().
    void edit(const QString& path, const nlohmann::json& value);
    void applyPending();
    void discardPending();

  Q_SIGNALS:
    /// The outcome of an edit: an empty error means accepted.
    void verdict(const QString& path, const QString& error);
    void pendingChanged();
    /// Structural edits accepted by validation: apply them with a reset.
    void applyStructural(const cbl::ExperimentConfig& config);
    /// The device model as edited (pending included): the device explorer follows it live.
    void deviceEdited(const nlohmann::json& device);

  private:
    Engine* engine_ = nullptr;
    ExperimentConfig config_;
    nlohmann::json pending_;
    QStringList pendingPaths_;
    bool haveConfig_ = false;
};

} // namespace cbl::ui
