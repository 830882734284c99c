; Inno Setup script: per-user install of the PyInstaller one-folder build (dist\plextray).
; Build: pyinstaller installer\plextray.spec, then ISCC installer\plextray.iss
#define AppName "PlexTray"
#define AppVersion "0.1.0"
#define AppExe "plextray.exe"

[Setup]
AppId={{6B0E1D2C-2F0A-4C6E-9E1B-7A5D3C2B1A00}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=plextray
DefaultDirName={localappdata}\Programs\{#AppName}
PrivilegesRequired=lowest
DisableProgramGroupPage=yes
OutputDir=..\dist
OutputBaseFilename={#AppName}-{#AppVersion}-setup
SetupIconFile=..\assets\plextray.ico
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
UninstallDisplayIcon={app}\{#AppExe}

[Tasks]
Name: "autostart"; Description: "Start {#AppName} when I sign in"; GroupDescription: "Start at login:"

[Files]
Source: "..\dist\plextray\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"

[Registry]
; The same value `plextray autostart enable` writes, so the tray's "Start at login" tick agrees.
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "PlexTray"; ValueData: """{app}\{#AppExe}"""; Flags: uninsdeletevalue; Tasks: autostart
; desktop-notifier registers the name and icon of plextray's toasts here at the first one: gone with the app.
Root: HKCU; Subkey: "Software\Classes\AppUserModelId\plextray"; Flags: uninsdeletekey dontcreatekey

[Run]
Filename: "{app}\{#AppExe}"; Description: "Launch {#AppName}"; Flags: nowait postinstall skipifsilent
