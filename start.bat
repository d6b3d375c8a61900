@echo off
rem CaptionForge: set up .venv on first use, then run the app. Options: start.bat --help
cd /d "%~dp0"
where py >nul 2>nul && (set PY=py -3) || (set PY=python)
if not exist ".venv\Scripts\python.exe" (
  echo First start: creating .venv ...
  %PY% -m venv .venv || (echo CaptionForge needs Python 3.10 or newer from python.org & exit /b 1)
)
set EXTRAS=
echo %* | findstr /C:"--native" >nul && set EXTRAS=[native]
if not exist ".venv\.installed%EXTRAS%" (
  ".venv\Scripts\python.exe" -m pip install --quiet -e ".%EXTRAS%" || exit /b 1
  type nul > ".venv\.installed%EXTRAS%"
)
".venv\Scripts\python.exe" main.py %*
